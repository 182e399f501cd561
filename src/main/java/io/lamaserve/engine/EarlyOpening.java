package io.lamaserve.engine;

import io.lamaserve.tile.Tile;
import io.lamaserve.tile.TileBatch;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * One runtime opened on a thread of its own while the service boots, then warmed up there (a batch of 1 on every
 * slot, as the batcher's warm-up runs it), for the engine producer to take over once: the ONNX Runtime session, or
 * the TensorRT engine with its start report. What nobody takes over is closed once its warm-up has ended, so that
 * no batch runs on a closed runtime.
 *
 * @param <T> what opening gives: the runner itself, or a report that holds it ({@code runnerOf} finds it)
 */
final class EarlyOpening<T> {

    /** Opens the runtime; throws what the producer should hear of. */
    @FunctionalInterface
    interface Opener<T> {
        Opened<T> open() throws Exception;
    }

    /** What was opened, and the model file it was opened on. */
    record Opened<T>(T value, Path model) {
    }

    private final CompletableFuture<Opened<T>> opened = new CompletableFuture<>();
    private final CompletableFuture<Void> warmedUp = new CompletableFuture<>();
    private final Function<T, ModelRunner> runnerOf;

    private EarlyOpening(Function<T, ModelRunner> runnerOf) {
        this.runnerOf = runnerOf;
    }

    /** Opens on a new thread named {@code threadName} and warms the runner up on it. */
    static <T> EarlyOpening<T> start(String threadName, Opener<T> opener, Function<T, ModelRunner> runnerOf) {
        EarlyOpening<T> early = new EarlyOpening<>(runnerOf);
        Thread.ofPlatform().name(threadName).daemon().start(() -> early.openAndWarmUp(opener));
        return early;
    }

    private void openAndWarmUp(Opener<T> opener) {
        Opened<T> open;
        try {
            open = opener.open();
            opened.complete(open);
        } catch (Throwable e) {
            // errors too (a native library that does not load): whoever waits must hear of it
            opened.completeExceptionally(e);
            warmedUp.completeExceptionally(e);
            return;
        }
        try {
            warmUp(runnerOf.apply(open.value()));
            warmedUp.complete(null);
        } catch (Throwable e) {
            warmedUp.completeExceptionally(e);
        }
    }

    /**
     * Waits for the opening and hands over what was opened on {@code model}; what was opened on another file is
     * closed (once warm) and gives empty.
     *
     * @throws CompletionException   with what opening failed with, as its cause
     * @throws CancellationException never in practice (nothing cancels the opening)
     */
    Optional<T> take(Path model) {
        Opened<T> open = opened.join();
        if (!open.model().equals(model)) {
            discard();
            return Optional.empty();
        }
        return Optional.of(open.value());
    }

    /** Completes when the warm-up ran on every slot; exceptionally when opening or the warm-up failed. */
    CompletableFuture<Void> warmedUp() {
        return warmedUp;
    }

    /** Closes what was opened, once its warm-up has ended; nothing when opening failed. */
    void discard() {
        opened.thenAccept(open -> warmedUp.handle((done, failure) -> {
            runnerOf.apply(open.value()).close();
            return null;
        }));
    }

    /** A batch of 1 on every slot, as the batcher's warm-up runs it (mid-grey tile, a centred square to fill). */
    static void warmUp(ModelRunner runner) throws EngineException {
        int side = runner.tileSize();
        Tile tile = Tile.allocate(side);
        Arrays.fill(tile.image(), 0.5f);
        for (int y = side / 4; y < side - side / 4; y++) {
            Arrays.fill(tile.mask(), y * side + side / 4, y * side + side - side / 4, 1f);
        }
        for (int slot = 0; slot < runner.parallelism(); slot++) {
            runner.run(slot, new TileBatch(List.of(tile)), new PhaseClock(System.nanoTime()));
        }
    }
}
