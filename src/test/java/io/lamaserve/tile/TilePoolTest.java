package io.lamaserve.tile;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

class TilePoolTest {

    @Test
    void releasedTilesAreHandedOutAgain() {
        TilePool pool = new TilePool(8, 4);
        Tile first = pool.acquire();
        Tile second = pool.acquire();
        assertNotSame(first, second);
        pool.release(List.of(first));
        assertSame(first, pool.acquire());
        assertEquals(8, second.side());
    }

    @Test
    void keepsNoMoreThanItsCapacityAndNoForeignSizes() {
        TilePool pool = new TilePool(8, 2);
        pool.release(List.of(Tile.allocate(8), Tile.allocate(8), Tile.allocate(8), Tile.allocate(16)));
        assertEquals(2, pool.idle());
    }
}
