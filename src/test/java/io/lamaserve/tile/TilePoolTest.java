package io.lamaserve.tile;

import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        Tile foreign = Tile.allocate(16);
        List<Tile> released = List.of(foreign, Tile.allocate(8), Tile.allocate(8), Tile.allocate(8));
        pool.release(released);
        Set<Tile> handedOut = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < 3; i++) {
            handedOut.add(pool.acquire());
        }
        // the first two of size 8 come back, then a fresh tile: the third was let go, the foreign one never kept
        assertTrue(handedOut.contains(released.get(1)) && handedOut.contains(released.get(2)));
        assertFalse(handedOut.contains(released.get(3)));
        assertFalse(handedOut.contains(foreign));
        assertEquals(3, handedOut.size());
    }
}
