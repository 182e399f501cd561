package io.lamaserve.imaging;

import io.lamaserve.tile.Tile;

import java.util.Arrays;

/**
 * Writes one region of the image into a model tile: planar RGB in 0..1 and the mask as 0/1.
 * A region planned smaller than its window is first scaled down (area averaging; a tile pixel is masked when any
 * image pixel under it is). The content sits in the top-left corner; the rest of the tile is filled by mirroring the
 * content (symmetric reflection, the edge pixel repeated, as IOPaint's padding does, repeating as often as needed, so
 * a one-pixel region is simply replicated). The padding is never masked.
 */
final class TileFiller {

    private static final float INV_255 = 1f / 255f;

    private TileFiller() {
    }

    static void fill(PixelRaster image, BinaryMask mask, Region region, Tile tile) {
        int t = tile.side();
        int cw = region.contentWidth();
        int ch = region.contentHeight();
        if (cw > t || ch > t) {
            throw new IllegalArgumentException("region content " + cw + "×" + ch + " exceeds tile " + t);
        }
        float[] content;
        byte[] contentMask;
        if (region.isScaled()) {
            content = new float[cw * ch * 3];
            contentMask = new byte[cw * ch];
            shrink(image, mask, region, content, contentMask);
        } else {
            content = null;
            contentMask = null;
        }
        int[] colOf = mirrorTable(t, cw);
        int[] rowOf = mirrorTable(t, ch);
        float[] img = tile.image();
        float[] msk = tile.mask();
        int plane = t * t;
        Box win = region.window();
        int c = image.channels();
        byte[] px = image.pixels();
        byte[] bits = mask.bits();
        for (int ty = 0; ty < t; ty++) {
            int cy = rowOf[ty];
            int o = ty * t;
            boolean contentRow = ty < ch;
            if (content == null) {
                int srcRow = (win.y() + cy) * image.width() + win.x();
                for (int tx = 0; tx < t; tx++, o++) {
                    int p = srcRow + colOf[tx];
                    int s = p * c;
                    img[o] = (px[s] & 0xFF) * INV_255;
                    img[plane + o] = (px[s + 1] & 0xFF) * INV_255;
                    img[2 * plane + o] = (px[s + 2] & 0xFF) * INV_255;
                    msk[o] = contentRow && tx < cw && bits[p] != 0 ? 1f : 0f;
                }
            } else {
                int rowBase = cy * cw;
                for (int tx = 0; tx < t; tx++, o++) {
                    int p = rowBase + colOf[tx];
                    int s = p * 3;
                    img[o] = content[s] * INV_255;
                    img[plane + o] = content[s + 1] * INV_255;
                    img[2 * plane + o] = content[s + 2] * INV_255;
                    msk[o] = contentRow && tx < cw && contentMask[p] != 0 ? 1f : 0f;
                }
            }
        }
    }

    /** For each of {@code t} positions, the content position it shows: itself, then mirrored back and forth. */
    static int[] mirrorTable(int t, int n) {
        int[] table = new int[t];
        int period = 2 * n;
        for (int i = 0; i < t; i++) {
            int m = i % period;
            table[i] = m < n ? m : period - 1 - m;
        }
        return table;
    }

    /** Area-averages the window into content (interleaved RGB, 0..255) and ORs the mask over each footprint. */
    private static void shrink(PixelRaster image, BinaryMask mask, Region region, float[] content, byte[] contentMask) {
        Box win = region.window();
        int cw = region.contentWidth();
        int ch = region.contentHeight();
        AreaWeights across = new AreaWeights(win.width(), cw);
        AreaWeights down = new AreaWeights(win.height(), ch);
        int c = image.channels();
        byte[] px = image.pixels();
        byte[] bits = mask.bits();
        int imageWidth = image.width();
        // horizontal pass into rows of cw samples, then the vertical pass accumulates them
        float[] rowRgb = new float[cw * 3];
        byte[] rowMask = new byte[cw];
        float[] ws = across.weights;
        float[] wd = down.weights;
        int[] targetRowOf = new int[win.height()];
        Arrays.fill(targetRowOf, -1);
        // the lowest target row each source row feeds; when shrinking, a source row feeds at most that one and the
        // one above it
        for (int j = 0; j < ch; j++) {
            for (int k = 0; k < down.count[j]; k++) {
                targetRowOf[down.first[j] + k] = j;
            }
        }
        for (int sy = 0; sy < win.height(); sy++) {
            int srcRow = (win.y() + sy) * imageWidth + win.x();
            for (int i = 0; i < cw; i++) {
                float r = 0;
                float g = 0;
                float b = 0;
                int any = 0;
                int p = srcRow + across.first[i];
                int wo = across.offset[i];
                for (int k = 0; k < across.count[i]; k++, p++) {
                    float w = ws[wo + k];
                    int s = p * c;
                    r += w * (px[s] & 0xFF);
                    g += w * (px[s + 1] & 0xFF);
                    b += w * (px[s + 2] & 0xFF);
                    any |= bits[p];
                }
                rowRgb[3 * i] = r;
                rowRgb[3 * i + 1] = g;
                rowRgb[3 * i + 2] = b;
                rowMask[i] = (byte) any;
            }
            // add this source row to every target row whose interval covers it
            int last = targetRowOf[sy];
            for (int j = Math.max(0, last - 1); j <= last && j >= 0; j++) {
                int k = sy - down.first[j];
                if (k < 0 || k >= down.count[j]) {
                    continue;
                }
                float w = wd[down.offset[j] + k];
                int o = j * cw * 3;
                for (int i = 0; i < cw * 3; i++) {
                    content[o + i] += w * rowRgb[i];
                }
                int om = j * cw;
                for (int i = 0; i < cw; i++) {
                    contentMask[om + i] |= rowMask[i];
                }
            }
        }
    }
}
