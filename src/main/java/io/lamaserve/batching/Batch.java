package io.lamaserve.batching;

import io.lamaserve.tile.Tile;
import io.lamaserve.tile.TileBatch;

import java.util.List;

/** Tiles taken from the queue for one engine call on one executor slot, with who they belong to. */
public final class Batch {

    /** One tile of the batch and the request it belongs to. */
    record Entry(InferenceTicket owner, int tileIndex) {
        Tile tile() {
            return owner.tiles.get(tileIndex);
        }
    }

    private final int slot;
    private final List<Entry> entries;
    private final TileBatch tileBatch;
    private final long dispatchedNanos;
    private final long predictedEndNanos;

    Batch(int slot, List<Entry> entries, long dispatchedNanos, long predictedEndNanos) {
        this.slot = slot;
        this.entries = List.copyOf(entries);
        this.tileBatch = new TileBatch(this.entries.stream().map(Entry::tile).toList());
        this.dispatchedNanos = dispatchedNanos;
        this.predictedEndNanos = predictedEndNanos;
    }

    /** Executor slot that runs the batch; passed to {@code InpaintEngine.infer}. */
    public int slot() {
        return slot;
    }

    public int size() {
        return entries.size();
    }

    /** What the engine computes. */
    public TileBatch tileBatch() {
        return tileBatch;
    }

    public long dispatchedNanos() {
        return dispatchedNanos;
    }

    long predictedEndNanos() {
        return predictedEndNanos;
    }

    List<Entry> entries() {
        return entries;
    }
}
