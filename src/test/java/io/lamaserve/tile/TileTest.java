package io.lamaserve.tile;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TileTest {

    @Test
    void outputsInZeroToOneAreBroughtToZeroTo255() {
        Tile tile = Tile.allocate(2);
        tile.output()[0] = 0.5f;
        tile.output()[11] = 1f;
        tile.scaleOutput(255f);
        assertEquals(127.5f, tile.output()[0]);
        assertEquals(255f, tile.output()[11]);
        tile.scaleOutput(1f);
        assertEquals(127.5f, tile.output()[0]);
    }

    @Test
    void arraysMustAgree() {
        assertThrows(IllegalArgumentException.class, () -> new Tile(new float[12], new float[4], new float[11]));
    }
}
