package io.lamaserve.imaging;

import io.lamaserve.tile.Tile;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The image side of an inpainting request, IOPaint-compatible: {@link #prepare} decodes the image and the mask and
 * cuts them into model tiles; after the engine has filled the tiles' outputs, {@link #complete} puts the results
 * back and encodes the answer. Stateless and thread-safe.
 */
@ApplicationScoped
public class ImagePipeline {

    /**
     * The pixel count of an image, read from its header alone, which is checked against the limits as
     * {@link #prepare} checks it: what decoding the file will cost, known before it is decoded.
     *
     * @throws BadImageException      not a readable image
     * @throws ImageTooLargeException the header declares more pixels than the limit
     */
    public long pixels(byte[] imageBytes, ImageLimits limits) {
        try (ImageDecoder.CheckedFile file = ImageDecoder.open("image", imageBytes, limits)) {
            return file.pixels();
        }
    }

    /**
     * Decodes and checks the inputs and fills one tile per planned region.
     *
     * @param imageBytes the image file (PNG, JPEG, GIF, BMP or TIFF)
     * @param maskBytes  the mask file, same size as the image after EXIF orientation; 255 = fill
     * @param options    IOPaint's HD strategy settings
     * @param tileSize   the model's fixed input side T
     * @param limits     the pixel limit, checked from both headers before anything is decoded
     * @throws BadImageException      unreadable input, or image and mask sizes differ
     * @throws ImageTooLargeException a header declares more pixels than the limit
     */
    public PreparedRequest prepare(byte[] imageBytes, byte[] maskBytes, RegionOptions options, int tileSize,
                                   ImageLimits limits) {
        return prepare(imageBytes, maskBytes, options, tileSize, limits, () -> Tile.allocate(tileSize));
    }

    /**
     * As {@link #prepare(byte[], byte[], RegionOptions, int, ImageLimits)}, taking the tiles from {@code tiles}
     * (a pool), which must hand out tiles of side {@code tileSize}. Every value of a tile's image and mask is
     * overwritten, so recycled tiles need no clearing.
     */
    public PreparedRequest prepare(byte[] imageBytes, byte[] maskBytes, RegionOptions options, int tileSize,
                                   ImageLimits limits, Supplier<Tile> tiles) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(limits, "limits");
        if (tileSize < 1) {
            throw new IllegalArgumentException("tile size must be positive, found " + tileSize);
        }
        DecodedImage image;
        DecodedImage maskImage;
        // both headers are checked before either file is decoded, so an oversized mask costs nothing either
        try (ImageDecoder.CheckedFile imageFile = ImageDecoder.open("image", imageBytes, limits);
             ImageDecoder.CheckedFile maskFile = ImageDecoder.open("mask", maskBytes, limits)) {
            image = imageFile.decode();
            maskImage = maskFile.decode();
        }
        if (image.width() != maskImage.width() || image.height() != maskImage.height()) {
            // IOPaint's wording, sizes as numpy shapes (height, width)
            throw new BadImageException("Image size((" + image.height() + ", " + image.width() + ")) and mask size(("
                    + maskImage.height() + ", " + maskImage.width() + ")) not match.");
        }
        BinaryMask mask = BinaryMask.of(maskImage.raster());
        if (mask.isEmpty()) {
            return new PreparedRequest(imageBytes, image, mask, List.of(), List.of());
        }
        List<Region> regions = new RegionPlanner(options, tileSize).plan(mask);
        List<Tile> filled = new ArrayList<>(regions.size());
        for (Region region : regions) {
            Tile tile = tiles.get();
            TileFiller.fill(image.raster(), mask, region, tile);
            filled.add(tile);
        }
        return new PreparedRequest(imageBytes, image, mask, regions, filled);
    }

    /**
     * Puts the engine's outputs back into the image and encodes it.
     *
     * @param request     a prepared request whose tiles the engine has filled
     * @param format      the output format, or null for the input's (PNG or JPEG; other inputs give PNG)
     * @param jpegQuality 1..100 (IOPaint uses 100)
     * @return the encoded image; for an empty mask, the input file itself when it can be returned unchanged
     */
    public EncodedImage complete(PreparedRequest request, OutputFormat format, int jpegQuality) {
        if (jpegQuality < 1 || jpegQuality > 100) {
            throw new BadImageException("quality: expected 1..100, found " + jpegQuality);
        }
        OutputFormat target = format != null ? format : request.inputFormat();
        DecodedImage image = request.image();
        if (request.tiles().isEmpty() && image.orientation() == ExifOrientation.NORMAL
                && (image.format() == ImageFormat.PNG || image.format() == ImageFormat.JPEG) && target == request.inputFormat()) {
            return new EncodedImage(request.originalBytes(), target.mediaType());
        }
        List<Region> regions = request.regions();
        for (int i = 0; i < regions.size(); i++) {
            Compositor.composite(image.raster(), request.mask(), regions.get(i), request.tiles().get(i));
        }
        return new EncodedImage(ImageEncoder.encode(image.raster(), target, jpegQuality), target.mediaType());
    }
}
