package io.lamaserve.imaging;

/**
 * How an image is divided into model inputs (IOPaint's {@code hd_strategy*} and {@code sd_keep_unmasked_area}).
 *
 * @param strategy          the high-resolution strategy
 * @param cropTriggerSize   Crop applies only when the image's long side is larger than this
 * @param cropMargin        pixels added on every side of each mask component's bounding box
 * @param resizeLimit       Resize applies only when the long side is larger than this, and scales it down to it
 * @param keepUnmaskedArea  true: only masked pixels change; false: whole regions take the model's output
 */
public record RegionOptions(HdStrategy strategy, int cropTriggerSize, int cropMargin, int resizeLimit,
                            boolean keepUnmaskedArea) {

    /** IOPaint's defaults: Crop, trigger 800, margin 128, resize limit 1280, keep the unmasked area. */
    public static final RegionOptions IOPAINT_DEFAULTS = new RegionOptions(HdStrategy.CROP, 800, 128, 1280, true);

    public RegionOptions {
        if (strategy == null) {
            throw new BadImageException("hd_strategy: missing");
        }
        if (cropTriggerSize < 0) {
            throw new BadImageException("hd_strategy_crop_trigger_size: must be >= 0, found " + cropTriggerSize);
        }
        if (cropMargin < 0) {
            throw new BadImageException("hd_strategy_crop_margin: must be >= 0, found " + cropMargin);
        }
        if (resizeLimit < 1) {
            throw new BadImageException("hd_strategy_resize_limit: must be >= 1, found " + resizeLimit);
        }
    }

    public RegionOptions withStrategy(HdStrategy other) {
        return new RegionOptions(other, cropTriggerSize, cropMargin, resizeLimit, keepUnmaskedArea);
    }

    public RegionOptions withKeepUnmaskedArea(boolean keep) {
        return new RegionOptions(strategy, cropTriggerSize, cropMargin, resizeLimit, keep);
    }
}
