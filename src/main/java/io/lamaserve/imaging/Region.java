package io.lamaserve.imaging;

/**
 * One model input: a window of the image and the size it takes inside the T×T tile.
 *
 * @param window         the pixels of the image the tile shows
 * @param contentWidth   width of the window in the tile (smaller than the window when scaled down), at most T
 * @param contentHeight  height of the window in the tile, at most T
 * @param pasteWhole     true: every pixel of the window takes the model's output; false: only masked pixels
 */
record Region(Box window, int contentWidth, int contentHeight, boolean pasteWhole) {

    /** A window shown at {@code scale} (≤ 1), never smaller than one pixel. */
    static Region scaled(Box window, double scale, boolean pasteWhole) {
        int cw = Math.max(1, (int) Math.round(window.width() * scale));
        int ch = Math.max(1, (int) Math.round(window.height() * scale));
        return new Region(window, Math.min(cw, window.width()), Math.min(ch, window.height()), pasteWhole);
    }

    /** The window scaled so its long side fits {@code tile}; windows that already fit keep their size. */
    static Region fitted(Box window, int tile, boolean pasteWhole) {
        int longSide = Math.max(window.width(), window.height());
        return longSide <= tile ? new Region(window, window.width(), window.height(), pasteWhole)
                : scaled(window, (double) tile / longSide, pasteWhole);
    }

    boolean isScaled() {
        return contentWidth != window.width() || contentHeight != window.height();
    }
}
