package io.lamaserve.engine;

/**
 * The phase boundaries of one batch as a {@link ModelRunner} passes them: the inputs are in the runtime's buffers
 * ({@link #staged()}), the model has computed ({@link #computed()}). A boundary never marked counts as reached at
 * the previous one.
 */
public final class PhaseClock {

    private final long started;
    private long staged = -1;
    private long computed = -1;

    PhaseClock(long started) {
        this.started = started;
    }

    public void staged() {
        staged = System.nanoTime();
    }

    public void computed() {
        computed = System.nanoTime();
    }

    long started() {
        return started;
    }

    long stagedAt() {
        return staged >= 0 ? staged : started;
    }

    long computedAt() {
        return computed >= 0 ? computed : stagedAt();
    }
}
