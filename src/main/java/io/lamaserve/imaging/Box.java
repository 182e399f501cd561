package io.lamaserve.imaging;

/**
 * An axis-aligned rectangle of pixels, {@code [x, x + width) × [y, y + height)}.
 */
record Box(int x, int y, int width, int height) {

    int right() {
        return x + width;
    }

    int bottom() {
        return y + height;
    }

    boolean contains(Box other) {
        return other.x >= x && other.y >= y && other.right() <= right() && other.bottom() <= bottom();
    }
}
