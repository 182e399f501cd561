package io.lamaserve.batching;

import io.lamaserve.config.LamaConfig;
import io.lamaserve.engine.InpaintEngine;
import io.lamaserve.tile.TilePool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The process's {@link TilePool}, sized by what the scheduler can hold at once: tiles beyond that would only be
 * idle memory, tiles short of it would be allocated again under load.
 */
@ApplicationScoped
public class TilePoolProducer {

    @Produces
    @Singleton
    TilePool tilePool(InpaintEngine engine, LamaConfig config) {
        BatchingSettings settings = BatchingSettings.from(config.batching());
        return new TilePool(engine.tileSize(), settings.tilesInFlight(engine.parallelism(), engine.maxBatch()));
    }
}
