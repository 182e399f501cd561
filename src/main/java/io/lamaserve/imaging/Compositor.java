package io.lamaserve.imaging;

import io.lamaserve.tile.Tile;

/**
 * Writes a tile's output back into the image. Pixels outside the mask keep their original bytes (unless the region
 * pastes its whole window, IOPaint's {@code sd_keep_unmasked_area=false}); masked pixels take the model's value,
 * rounded and clamped to 0..255. A region that was scaled down is scaled back up by bilinear interpolation between
 * tile pixel centres. Alpha is never touched.
 */
final class Compositor {

    private Compositor() {
    }

    static void composite(PixelRaster image, BinaryMask mask, Region region, Tile tile) {
        int t = tile.side();
        int plane = t * t;
        float[] out = tile.output();
        Box win = region.window();
        int w = win.width();
        int h = win.height();
        int cw = region.contentWidth();
        int ch = region.contentHeight();
        int c = image.channels();
        byte[] px = image.pixels();
        byte[] bits = mask.bits();
        boolean all = region.pasteWhole();
        if (!region.isScaled()) {
            for (int y = 0; y < h; y++) {
                int p = (win.y() + y) * image.width() + win.x();
                int o = y * t;
                for (int x = 0; x < w; x++, p++, o++) {
                    if (all || bits[p] != 0) {
                        int s = p * c;
                        px[s] = toByte(out[o]);
                        px[s + 1] = toByte(out[plane + o]);
                        px[s + 2] = toByte(out[2 * plane + o]);
                    }
                }
            }
            return;
        }
        Interpolation across = new Interpolation(w, cw);
        Interpolation down = new Interpolation(h, ch);
        for (int y = 0; y < h; y++) {
            int p = (win.y() + y) * image.width() + win.x();
            int row0 = down.lower[y] * t;
            int row1 = down.upper[y] * t;
            float fy = down.fraction[y];
            for (int x = 0; x < w; x++, p++) {
                if (!all && bits[p] == 0) {
                    continue;
                }
                int x0 = across.lower[x];
                int x1 = across.upper[x];
                float fx = across.fraction[x];
                int s = p * c;
                for (int k = 0; k < 3; k++) {
                    int base = k * plane;
                    float top = out[base + row0 + x0] + fx * (out[base + row0 + x1] - out[base + row0 + x0]);
                    float bottom = out[base + row1 + x0] + fx * (out[base + row1 + x1] - out[base + row1 + x0]);
                    px[s + k] = toByte(top + fy * (bottom - top));
                }
            }
        }
    }

    static byte toByte(float v) {
        if (!(v > 0f)) {
            return 0; // also NaN
        }
        return v >= 255f ? (byte) 255 : (byte) (int) (v + 0.5f);
    }

    /** For each of {@code target} positions: the two nearest of {@code source} sample centres and the blend factor. */
    private static final class Interpolation {
        final int[] lower;
        final int[] upper;
        final float[] fraction;

        Interpolation(int target, int source) {
            lower = new int[target];
            upper = new int[target];
            fraction = new float[target];
            double scale = (double) source / target;
            for (int i = 0; i < target; i++) {
                double u = (i + 0.5) * scale - 0.5;
                if (u <= 0) {
                    u = 0;
                } else if (u >= source - 1) {
                    u = source - 1;
                }
                int u0 = (int) u;
                lower[i] = u0;
                upper[i] = Math.min(u0 + 1, source - 1);
                fraction[i] = (float) (u - u0);
            }
        }
    }
}
