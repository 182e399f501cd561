package io.lamaserve.batching;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BatchingSettingsTest {

    @Test
    void tilesInFlightAreAFullQueuePlusOneLargestBatchPerExecutor() {
        // the default queue of 64 tiles, two TensorRT contexts of up to 16 tiles
        assertEquals(64 + 2 * 16, TestSettings.defaults().tilesInFlight(2, 16));
        // lama.batching.max-batch caps what an executor runs, and so what it holds
        assertEquals(8 + 2 * 4, TestSettings.with("max-queue", "8", "max-batch", "4").tilesInFlight(2, 16));
    }
}
