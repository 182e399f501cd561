package io.lamaserve.tile;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * Recycles {@link Tile}s. A tile at T = 512 holds 7 MiB of float arrays, which the JVM allocates as humongous
 * objects; at hundreds of tiles a second, reusing them keeps that off the garbage collector. Bounded: it keeps at
 * most {@code capacity} idle tiles (enough for a full queue plus the batches in flight) and lets the rest go.
 */
public final class TilePool {

    private final int side;
    private final ArrayBlockingQueue<Tile> idle;

    public TilePool(int side, int capacity) {
        if (side < 1 || capacity < 1) {
            throw new IllegalArgumentException("tile side and pool capacity must be positive");
        }
        this.side = side;
        this.idle = new ArrayBlockingQueue<>(capacity);
    }

    /** An idle tile, or a new one when none is idle. Its contents are whatever its last user left. */
    public Tile acquire() {
        Tile tile = idle.poll();
        return tile != null ? tile : Tile.allocate(side);
    }

    /** Returns tiles nobody reads or writes any more; tiles of another size, and any beyond capacity, are dropped. */
    public void release(List<Tile> tiles) {
        for (Tile tile : tiles) {
            if (tile.mask().length == side * side) {
                idle.offer(tile);
            }
        }
    }
}
