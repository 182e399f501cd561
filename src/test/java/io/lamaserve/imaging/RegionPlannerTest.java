package io.lamaserve.imaging;

import io.lamaserve.tile.Tile;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RegionPlannerTest {

    private static final int T = 512;

    private static BinaryMask mask(int width, int height, int[]... rects) {
        byte[] bits = new byte[width * height];
        for (int[] r : rects) {
            for (int y = r[1]; y < r[1] + r[3]; y++) {
                for (int x = r[0]; x < r[0] + r[2]; x++) {
                    bits[y * width + x] = 1;
                }
            }
        }
        return new BinaryMask(width, height, bits);
    }

    private static List<Region> plan(RegionOptions options, BinaryMask mask) {
        return new RegionPlanner(options, T).plan(mask);
    }

    @Test
    void originalIsTheWholeImageFittedToTheTile() {
        List<Region> regions = plan(RegionOptions.IOPAINT_DEFAULTS.withStrategy(HdStrategy.ORIGINAL),
                mask(3000, 2000, new int[] {10, 10, 5, 5}));
        assertEquals(1, regions.size());
        Region r = regions.getFirst();
        assertEquals(new Box(0, 0, 3000, 2000), r.window());
        assertEquals(512, r.contentWidth());
        assertEquals(341, r.contentHeight()); // 2000 × 512 / 3000 = 341.3
        assertFalse(r.pasteWhole());
    }

    @Test
    void cropBelowItsTriggerIsTheWholeImage() {
        List<Region> regions = plan(RegionOptions.IOPAINT_DEFAULTS, mask(800, 600, new int[] {10, 10, 5, 5}));
        assertEquals(List.of(new Region(new Box(0, 0, 800, 600), 512, 384, false)), regions);
    }

    @Test
    void cropOfASmallStrokeGrowsToTheTileAroundIt() {
        // box 20×20 + 2×128 margin = 276 wide, grown to 512 around the box's centre
        List<Region> regions = plan(RegionOptions.IOPAINT_DEFAULTS, mask(2000, 1500, new int[] {1000, 700, 20, 20}));
        assertEquals(1, regions.size());
        Box w = regions.getFirst().window();
        assertEquals(512, w.width());
        assertEquals(512, w.height());
        assertTrue(w.contains(new Box(1000 - 128, 700 - 128, 276, 276)), "margin kept: " + w);
        assertFalse(regions.getFirst().isScaled());
    }

    @Test
    void cropAtAnEdgeShiftsInsideTheImageAndKeepsItsSize() {
        List<Region> regions = plan(RegionOptions.IOPAINT_DEFAULTS, mask(2000, 1500, new int[] {1990, 0, 10, 10}));
        Box w = regions.getFirst().window();
        assertEquals(new Box(2000 - 512, 0, 512, 512), w);
    }

    @Test
    void cropWindowFollowsIopaintsMarginArithmeticWhenLargerThanTheTile() {
        // box x 600..1000 (400 wide) + 2×128 = 656; centre 800 → 472..1128; y 300..340 → grown to 512
        RegionPlanner planner = new RegionPlanner(RegionOptions.IOPAINT_DEFAULTS, T);
        Box w = planner.window(new Box(600, 300, 400, 40), 2000, 1500);
        assertEquals(472, w.x());
        assertEquals(656, w.width());
        assertEquals(512, w.height());
        assertEquals(320 - 256, w.y());
    }

    @Test
    void cropOfAWideStrokeIsScaledToTheTile() {
        List<Region> regions = plan(RegionOptions.IOPAINT_DEFAULTS, mask(3000, 1500, new int[] {500, 700, 1200, 30}));
        Region r = regions.getFirst();
        assertEquals(1456, r.window().width());
        assertEquals(512, r.window().height());
        assertEquals(512, r.contentWidth());
        assertEquals(180, r.contentHeight()); // 512 × 512 / 1456 = 180.04
    }

    @Test
    void imageSmallerThanTheTileInOneDimensionUsesItsFullExtentThere() {
        List<Region> regions = plan(RegionOptions.IOPAINT_DEFAULTS, mask(2000, 300, new int[] {1000, 100, 10, 10}));
        Box w = regions.getFirst().window();
        assertEquals(0, w.y());
        assertEquals(300, w.height());
        assertEquals(512, w.width());
    }

    @Test
    void componentsInsideAnotherWindowGetNoTileOfTheirOwn() {
        List<Region> regions = plan(RegionOptions.IOPAINT_DEFAULTS,
                mask(2000, 1500, new int[] {1000, 700, 40, 40}, new int[] {1100, 760, 4, 4}));
        assertEquals(1, regions.size());
    }

    @Test
    void diagonalNeighboursAreOneComponent() {
        BinaryMask m = mask(10, 10, new int[] {2, 2, 1, 1}, new int[] {3, 3, 1, 1}, new int[] {7, 1, 1, 1});
        List<Box> boxes = MaskComponents.boundingBoxes(m);
        assertEquals(List.of(new Box(7, 1, 1, 1), new Box(2, 2, 2, 2)), boxes);
    }

    @Test
    void branchesJoiningFurtherDownAreOneComponent() {
        // a U: two columns joined by the bottom row, then a separate dot
        BinaryMask m = mask(20, 20, new int[] {2, 2, 1, 10}, new int[] {9, 2, 1, 10}, new int[] {2, 11, 8, 1},
                new int[] {15, 15, 2, 3});
        assertEquals(List.of(new Box(2, 2, 8, 10), new Box(15, 15, 2, 3)), MaskComponents.boundingBoxes(m));
    }

    @Test
    void manySeparateStrokesAreMergedToABoundedNumberOfRegionsCoveringAllOfThem() {
        int[][] dots = new int[40][];
        for (int i = 0; i < 40; i++) {
            dots[i] = new int[] {100 + (i % 8) * 700, 100 + (i / 8) * 700, 6, 6};
        }
        BinaryMask m = mask(5800, 3600, dots);
        List<Region> regions = plan(RegionOptions.IOPAINT_DEFAULTS, m);
        assertTrue(regions.size() <= RegionPlanner.MAX_CROP_REGIONS, regions.size() + " regions");
        for (int[] d : dots) {
            Box dot = new Box(d[0], d[1], d[2], d[3]);
            assertTrue(regions.stream().anyMatch(r -> r.window().contains(dot)), "dot " + dot + " covered");
        }
    }

    @Test
    void resizeScalesTheWholeImageToItsLimitAndWritesOnlyMaskedPixels() {
        RegionOptions resize = new RegionOptions(HdStrategy.RESIZE, 800, 128, 256, false);
        Region r = plan(resize, mask(2000, 1000, new int[] {10, 10, 5, 5})).getFirst();
        assertEquals(new Region(new Box(0, 0, 2000, 1000), 256, 128, false), r);
        // below its limit, Resize is the whole image fitted to the tile
        Region small = plan(RegionOptions.IOPAINT_DEFAULTS.withStrategy(HdStrategy.RESIZE),
                mask(1000, 500, new int[] {10, 10, 5, 5})).getFirst();
        assertEquals(new Region(new Box(0, 0, 1000, 500), 512, 256, false), small);
    }

    @Test
    void twoStrokesFarApartOnALargeImageBecomeTwoTilesEachWithItsStroke() {
        BufferedImage image = TestImages.filled(2000, 1500, 0x808080);
        int[] left = {200, 300, 60, 15};
        int[] right = {1600, 1100, 15, 80};
        TestImages.fillRect(image, left[0], left[1], left[2], left[3], 0xFF0000);
        TestImages.fillRect(image, right[0], right[1], right[2], right[3], 0x0000FF);
        ImagePipeline pipeline = new ImagePipeline();
        PreparedRequest request = pipeline.prepare(TestImages.png(image),
                TestImages.png(TestImages.mask(2000, 1500, left, right)), RegionOptions.IOPAINT_DEFAULTS, T,
                TestImages.DEFAULT_LIMITS);
        assertEquals(2, request.tiles().size());
        assertStroke(request.tiles().get(0), 1f, 0f, 60 * 15);
        assertStroke(request.tiles().get(1), 0f, 1f, 15 * 80);
        TestImages.paintOutputs(request, 0, 255, 0);
        BufferedImage out = TestImages.read(pipeline.complete(request, null, 100).bytes());
        assertEquals(0x00FF00, out.getRGB(left[0] + 5, left[1] + 5) & 0xFFFFFF);
        assertEquals(0x00FF00, out.getRGB(right[0] + 5, right[1] + 5) & 0xFFFFFF);
        assertEquals(0x808080, out.getRGB(1000, 750) & 0xFFFFFF);
    }

    /** The tile holds masked pixels exactly where the stroke's colour is, and none of the other stroke's. */
    private static void assertStroke(Tile tile, float red, float blue, int maskedPixels) {
        int plane = tile.mask().length;
        int masked = 0;
        for (int i = 0; i < plane; i++) {
            float r = tile.image()[i];
            float b = tile.image()[2 * plane + i];
            if (tile.mask()[i] == 1f) {
                masked++;
                assertEquals(red, r, 1e-6f);
                assertEquals(blue, b, 1e-6f);
            } else {
                assertEquals(128 / 255f, r, 1e-6f, "unmasked pixels are background");
                assertEquals(128 / 255f, b, 1e-6f, "unmasked pixels are background");
            }
        }
        assertEquals(maskedPixels, masked);
    }

    @Test
    void strategyNamesParseLikeIopaints() {
        assertEquals(HdStrategy.ORIGINAL, HdStrategy.parse("Original"));
        assertEquals(HdStrategy.RESIZE, HdStrategy.parse("resize"));
        assertEquals(HdStrategy.CROP, HdStrategy.parse("CROP"));
        BadImageException e = assertThrows(BadImageException.class, () -> HdStrategy.parse("Tile"));
    }
}
