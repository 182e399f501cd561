package io.lamaserve.tile;

import java.util.List;

/** The tiles that go through the model together, in order. */
public record TileBatch(List<Tile> tiles) {

    public TileBatch {
        tiles = List.copyOf(tiles);
        if (tiles.isEmpty()) {
            throw new IllegalArgumentException("empty batch");
        }
    }

    public int size() {
        return tiles.size();
    }

    public Tile get(int index) {
        return tiles.get(index);
    }
}
