package io.lamaserve.engine.tensorrt;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BatchShapesTest {

    @Test
    void defaultSizesArePowersOfTwoAndTheMaximum() {
        assertEquals(List.of(1, 2, 4, 8, 16, 32), BatchShapes.powersOfTwoUpTo(32).sizes());
        assertEquals(List.of(1, 2, 4, 8, 12), BatchShapes.powersOfTwoUpTo(12).sizes());
        assertEquals(List.of(1), BatchShapes.powersOfTwoUpTo(1).sizes());
    }

    @Test
    void aBatchRunsInTheSmallestSizeThatHoldsIt() {
        BatchShapes shapes = BatchShapes.powersOfTwoUpTo(32);
        int[] expected = {0, 0, 1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 5};
        for (int batch = 1; batch <= 17; batch++) {
            assertEquals(expected[batch], shapes.indexFor(batch), "batch " + batch);
            assertEquals(true, shapes.size(shapes.indexFor(batch)) >= batch);
        }
        assertEquals(5, shapes.indexFor(32));
        assertThrows(IllegalArgumentException.class, () -> shapes.indexFor(33));
        assertThrows(IllegalArgumentException.class, () -> shapes.indexFor(0));
    }

    @Test
    void configuredSizesAreSortedDeduplicatedAndIncludeTheMaximum() {
        assertEquals(List.of(1, 3, 6, 16), BatchShapes.of(List.of(6, 3, 1, 3), 16).sizes());
        assertThrows(IllegalArgumentException.class, () -> BatchShapes.of(List.of(1, 20), 16));
        assertThrows(IllegalArgumentException.class, () -> BatchShapes.of(List.of(0), 16));
        assertThrows(IllegalArgumentException.class, () -> new BatchShapes(List.of(2, 1)));
        assertThrows(IllegalArgumentException.class, () -> new BatchShapes(List.of()));
    }

    @Test
    void profilesOfSeveralContextsReadBackAsOneRun() {
        assertEquals(List.of(1, 2, 4), BatchShapes.fromProfiles(List.of(1, 2, 4, 1, 2, 4)).sizes());
        assertEquals(List.of(1, 2, 4), BatchShapes.fromProfiles(List.of(1, 2, 4)).sizes());
        assertEquals(List.of(8), BatchShapes.fromProfiles(List.of(8, 8)).sizes());
        assertThrows(IllegalArgumentException.class, () -> BatchShapes.fromProfiles(List.of(1, 2, 4, 1, 2)));
        assertThrows(IllegalArgumentException.class, () -> BatchShapes.fromProfiles(List.of(1, 2, 1, 4)));
    }

    @Test
    void upToKeepsTheSmallerSizesAndTheNewMaximum() {
        BatchShapes shapes = BatchShapes.powersOfTwoUpTo(32);
        assertEquals(List.of(1, 2, 4, 8, 16), shapes.upTo(16).sizes());
        assertEquals(List.of(1, 2, 4, 8, 10), shapes.upTo(10).sizes());
        assertEquals(shapes, shapes.upTo(32));
        assertEquals(shapes, shapes.upTo(64));
        assertEquals("1,2,4,8,16,32", shapes.canonical());
    }
}
