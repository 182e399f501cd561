package io.lamaserve.imaging;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Decides which windows of an image go to the model, following IOPaint's HD strategies, for a model with a fixed
 * T×T input.
 *
 * <ul>
 *   <li>Original, and Crop or Resize when their trigger does not fire: the whole image is one region.</li>
 *   <li>Resize (long side above the resize limit): the whole image, scaled so its long side is the limit (or T, if
 *       smaller); only masked pixels are written back, as in IOPaint.</li>
 *   <li>Crop (long side above the trigger): one window per connected mask component, its bounding box grown by the
 *       margin and kept inside the image like IOPaint's {@code _crop_box}. Then, unlike IOPaint, a window narrower
 *       or shorter than T grows to T around the box (inside the image) so the model sees real surroundings instead
 *       of padding, and a component whose box already lies inside another window gets no window of its own.</li>
 * </ul>
 * Every region larger than T is scaled down to fit; see {@link TileFiller}.
 */
final class RegionPlanner {

    /** Crop windows per image beyond which nearby windows are merged. */
    static final int MAX_CROP_REGIONS = 16;
    /** Components beyond which merging is not attempted and the whole image becomes one region. */
    static final int MAX_COMPONENTS_TO_MERGE = 512;

    private final RegionOptions options;
    private final int tile;

    RegionPlanner(RegionOptions options, int tileSize) {
        if (tileSize < 1) {
            throw new IllegalArgumentException("tile size must be positive, found " + tileSize);
        }
        this.options = options;
        this.tile = tileSize;
    }

    List<Region> plan(BinaryMask mask) {
        int w = mask.width();
        int h = mask.height();
        int longSide = Math.max(w, h);
        Box whole = new Box(0, 0, w, h);
        boolean pasteWhole = !options.keepUnmaskedArea();
        return switch (options.strategy()) {
            case ORIGINAL -> List.of(Region.fitted(whole, tile, pasteWhole));
            case RESIZE -> longSide > options.resizeLimit()
                    ? List.of(Region.scaled(whole, (double) Math.min(options.resizeLimit(), tile) / longSide, false))
                    : List.of(Region.fitted(whole, tile, pasteWhole));
            case CROP -> longSide > options.cropTriggerSize()
                    ? cropRegions(mask, pasteWhole)
                    : List.of(Region.fitted(whole, tile, pasteWhole));
        };
    }

    private List<Region> cropRegions(BinaryMask mask, boolean pasteWhole) {
        List<Box> boxes = MaskComponents.boundingBoxes(mask);
        if (boxes == null || boxes.size() > MAX_COMPONENTS_TO_MERGE) {
            return List.of(Region.fitted(new Box(0, 0, mask.width(), mask.height()), tile, pasteWhole));
        }
        List<Box> kept = dropCovered(boxes, mask.width(), mask.height());
        while (kept.size() > MAX_CROP_REGIONS) {
            kept = dropCovered(mergeClosestPair(kept), mask.width(), mask.height());
        }
        List<Region> regions = new ArrayList<>(kept.size());
        for (Box box : kept) {
            regions.add(Region.fitted(window(box, mask.width(), mask.height()), tile, pasteWhole));
        }
        return regions;
    }

    /** Boxes, largest first, without those lying inside the window of a box already kept; returned in image order. */
    private List<Box> dropCovered(List<Box> boxes, int imageWidth, int imageHeight) {
        List<Box> bySize = new ArrayList<>(boxes);
        bySize.sort(Comparator.comparingLong((Box b) -> (long) b.width() * b.height()).reversed());
        List<Box> kept = new ArrayList<>();
        List<Box> windows = new ArrayList<>();
        for (Box box : bySize) {
            if (windows.stream().noneMatch(win -> win.contains(box))) {
                kept.add(box);
                windows.add(window(box, imageWidth, imageHeight));
            }
        }
        kept.sort(Comparator.comparingInt(Box::y).thenComparingInt(Box::x));
        return kept;
    }

    /** Replaces the two boxes whose union is smallest by that union. */
    private static List<Box> mergeClosestPair(List<Box> boxes) {
        int bestI = 0;
        int bestJ = 1;
        long bestArea = Long.MAX_VALUE;
        for (int i = 0; i < boxes.size(); i++) {
            for (int j = i + 1; j < boxes.size(); j++) {
                long area = area(union(boxes.get(i), boxes.get(j)));
                if (area < bestArea) {
                    bestArea = area;
                    bestI = i;
                    bestJ = j;
                }
            }
        }
        List<Box> merged = new ArrayList<>(boxes);
        Box union = union(boxes.get(bestI), boxes.get(bestJ));
        merged.remove(bestJ);
        merged.set(bestI, union);
        return merged;
    }

    private static Box union(Box a, Box b) {
        int x = Math.min(a.x(), b.x());
        int y = Math.min(a.y(), b.y());
        return new Box(x, y, Math.max(a.right(), b.right()) - x, Math.max(a.bottom(), b.bottom()) - y);
    }

    private static long area(Box b) {
        return (long) b.width() * b.height();
    }

    /** The crop window of one mask box. */
    Box window(Box box, int imageWidth, int imageHeight) {
        int[] xs = axis(box.x(), box.right(), imageWidth);
        int[] ys = axis(box.y(), box.bottom(), imageHeight);
        return new Box(xs[0], ys[0], xs[1] - xs[0], ys[1] - ys[0]);
    }

    /** One axis of the window: IOPaint's margin and edge handling, then growth to T. Returns {start, end}. */
    private int[] axis(int lo, int hi, int size) {
        int margin = options.cropMargin();
        int length = hi - lo + 2 * margin;
        int centre = (lo + hi) / 2;
        int wantLo = centre - length / 2;
        int wantHi = centre + length / 2;
        int start = Math.max(wantLo, 0);
        int end = Math.min(wantHi, size);
        // at an edge, IOPaint moves the lost part to the other side to keep the context
        if (wantLo < 0) {
            end += -wantLo;
        }
        if (wantHi > size) {
            start -= wantHi - size;
        }
        start = Math.max(Math.min(start, lo), 0);
        end = Math.min(Math.max(end, hi), size);
        if (end - start < tile) {
            if (size <= tile) {
                return new int[] {0, size};
            }
            int missing = tile - (end - start);
            start -= missing / 2;
            end += missing - missing / 2;
            if (start < 0) {
                end -= start;
                start = 0;
            }
            if (end > size) {
                start -= end - size;
                end = size;
            }
        }
        return new int[] {start, end};
    }
}
