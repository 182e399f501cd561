package io.lamaserve.imaging;

import io.lamaserve.tile.Tile;

import java.util.List;

/**
 * A decoded request waiting for the model: the tiles to run (all of them in one go) and what is needed to put their
 * outputs back. Created by {@link ImagePipeline#prepare}, finished by {@link ImagePipeline#complete}; the image is
 * composited in place, so complete it once.
 */
public final class PreparedRequest {

    private final byte[] originalBytes;
    private final DecodedImage image;
    private final BinaryMask mask;
    private final List<Region> regions;
    private final List<Tile> tiles;

    PreparedRequest(byte[] originalBytes, DecodedImage image, BinaryMask mask, List<Region> regions, List<Tile> tiles) {
        if (regions.size() != tiles.size()) {
            throw new IllegalArgumentException(regions.size() + " regions but " + tiles.size() + " tiles");
        }
        this.originalBytes = originalBytes;
        this.image = image;
        this.mask = mask;
        this.regions = List.copyOf(regions);
        this.tiles = List.copyOf(tiles);
    }

    /** The model inputs, one per region; empty when the mask selects nothing (no inference needed). */
    public List<Tile> tiles() {
        return tiles;
    }

    /** Width of the upright image. */
    public int width() {
        return image.width();
    }

    /** Height of the upright image. */
    public int height() {
        return image.height();
    }

    /** The format a response "in the input's format" uses. */
    public OutputFormat inputFormat() {
        return image.format().sameAsInput();
    }

    byte[] originalBytes() {
        return originalBytes;
    }

    DecodedImage image() {
        return image;
    }

    BinaryMask mask() {
        return mask;
    }

    List<Region> regions() {
        return regions;
    }
}
