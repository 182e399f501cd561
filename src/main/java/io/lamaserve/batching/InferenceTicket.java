package io.lamaserve.batching;

import io.lamaserve.tile.Tile;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A request admitted by the scheduler: its tiles, its deadline and the future that completes when every tile's
 * output has been written.
 *
 * <p>{@link #completion()} completes normally once all tiles are computed; exceptionally with a
 * {@link RejectedException} when the deadline passes while tiles are still queued
 * ({@link RejectedException.Reason#DEADLINE_EXPIRED}), when a batch carrying its tiles fails
 * ({@link RejectedException.Reason#ENGINE_FAILED}, cause = the engine's exception) or when the service stops
 * before computing it ({@link RejectedException.Reason#DRAINING}); and is cancelled by {@link #cancel()}.
 */
public final class InferenceTicket {

    /** Lifecycle of a request inside the scheduler; only {@link #ACTIVE} requests may still hold queued tiles. */
    enum State { ACTIVE, DONE, EXPIRED, CANCELLED, FAILED }

    final List<Tile> tiles;
    final long arrivalNanos;
    final long deadlineNanos;
    /** Index of the next tile that no batch has taken yet. */
    int nextToDispatch;
    /** Tiles whose batch finished successfully. */
    int computed;
    State state = State.ACTIVE;

    private final CompletableFuture<Void> completion = new CompletableFuture<>();
    private final Runnable canceller;

    InferenceTicket(List<Tile> tiles, long arrivalNanos, long deadlineNanos, Consumer<InferenceTicket> cancelRoute) {
        this.tiles = List.copyOf(tiles);
        this.arrivalNanos = arrivalNanos;
        this.deadlineNanos = deadlineNanos;
        this.canceller = () -> cancelRoute.accept(this);
    }

    /** Completes when every tile's output is filled; see the class comment for the failure cases. */
    public CompletableFuture<Void> completion() {
        return completion;
    }

    /**
     * The client is gone: removes the request's queued tiles so they cost no inference. Tiles already in a running
     * batch finish and their results are discarded. Safe to call at any time, more than once.
     */
    public void cancel() {
        canceller.run();
    }

    /** Number of tiles the request carries. */
    public int tileCount() {
        return tiles.size();
    }

    /** Tiles not yet taken by any batch. */
    int queuedTiles() {
        return state == State.ACTIVE ? tiles.size() - nextToDispatch : 0;
    }

    CompletableFuture<Void> future() {
        return completion;
    }
}
