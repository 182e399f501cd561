package io.lamaserve.batching;

import io.lamaserve.tile.Tile;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executor;

/**
 * The scheduling state machine: admission, the tile queue, batch formation, deadlines, cancellation and completion.
 * It owns no threads and reads no clock; every method takes {@code now}. {@link BatchScheduler} drives it from
 * executor threads under one lock, the simulator from a discrete-event loop on virtual time. Not thread-safe.
 */
public final class SchedulingCore {

    /** Retry-After when the warm-up has not finished. */
    static final long NOT_READY_RETRY_SECONDS = 5;

    private final BatchingSettings settings;
    private final int executors;
    private final CostModel model;
    private final BatchPolicy policy;
    private final SchedulerMetrics metrics;
    private final Executor completer;
    private final Executor serializer;
    private final TileQueue queue = new TileQueue();
    private final ReturnForecast returns = new ReturnForecast();
    /** When an executor holding a small queue must look again; {@link Long#MAX_VALUE} = no hold. */
    private long holdUntil = Long.MAX_VALUE;
    private final Batch[] running;
    private long busyNanosFinished;
    private boolean admitting = true;

    /**
     * @param completer  runs the completion of tickets' futures (client continuations run there, not on executors)
     * @param serializer runs a task with exclusive access to this core; used by {@link InferenceTicket#cancel()}
     */
    public SchedulingCore(BatchingSettings settings, int executors, CostModel model, BatchPolicy policy,
                          SchedulerMetrics metrics, Executor completer, Executor serializer) {
        if (executors < 1) {
            throw new IllegalArgumentException("need at least one executor, was " + executors);
        }
        this.settings = settings;
        this.executors = executors;
        this.model = model;
        this.policy = policy;
        this.metrics = metrics;
        this.completer = completer;
        this.serializer = serializer;
        this.running = new Batch[executors];
    }

    /**
     * Admits a request or refuses it.
     *
     * @param requestedTimeout the client's deadline; null = the default; longer than the default is cut to it
     * @throws RejectedException        when refused: queue full (429), too many tiles (413), the deadline cannot
     *                                  be met (503) or the scheduler is draining (503)
     * @throws IllegalArgumentException when there are no tiles or the timeout is not positive
     */
    public InferenceTicket submit(List<Tile> tiles, Duration requestedTimeout, long now) {
        return submit(tiles, requestedTimeout, now, false);
    }

    /**
     * As {@link #submit(List, Duration, long)}; {@code arrivedBeforeDrain} admits a request while draining, one
     * whose body was still arriving when shutdown began (refused only once the executors stop).
     */
    public InferenceTicket submit(List<Tile> tiles, Duration requestedTimeout, long now, boolean arrivedBeforeDrain) {
        if (tiles.isEmpty()) {
            throw new IllegalArgumentException("a request needs at least one tile");
        }
        if (requestedTimeout != null && (requestedTimeout.isNegative() || requestedTimeout.isZero())) {
            throw new IllegalArgumentException("request timeout must be positive, was " + requestedTimeout);
        }
        expireOverdue(now);
        int count = tiles.size();
        if (!admitting && !arrivedBeforeDrain) {
            throw reject(RejectedException.Reason.DRAINING, 1, "the service is shutting down");
        }
        if (count > settings.maxQueue()) {
            throw reject(RejectedException.Reason.TOO_MANY_TILES, 0, "the request needs " + count
                    + " tiles but the queue holds at most " + settings.maxQueue());
        }
        int queued = queue.queuedTiles();
        if (queued + count > settings.maxQueue()) {
            long wait = predictedDelayNanos(queued + count - settings.maxQueue(), now);
            throw reject(RejectedException.Reason.QUEUE_FULL, retrySeconds(wait), "queue full: " + queued
                    + " of " + settings.maxQueue() + " tiles waiting, the request needs " + count);
        }
        Duration timeout = requestedTimeout == null || requestedTimeout.compareTo(settings.timeout()) > 0
                ? settings.timeout() : requestedTimeout;
        long predicted = predictedDelayNanos(queued + count, now);
        if (predicted > timeout.toNanos()) {
            throw reject(RejectedException.Reason.DEADLINE_UNREACHABLE, retrySeconds(predictedDelayNanos(queued, now)),
                    String.format(java.util.Locale.ROOT, "predicted completion in %d ms exceeds the %d ms deadline",
                            predicted / 1_000_000, timeout.toMillis()));
        }
        InferenceTicket ticket = new InferenceTicket(tiles, now, now + timeout.toNanos(),
                t -> serializer.execute(() -> cancel(t)));
        queue.add(ticket);
        returns.arrived(now);
        return ticket;
    }

    /**
     * The batch executor {@code slot} should run now, or null when nothing waits or the policy holds a small queue
     * for more tiles; in that case {@link #holdUntil()} says when to ask again (new arrivals are another reason).
     * Drops overdue requests first.
     */
    public Batch nextBatch(int slot, long now) {
        if (running[slot] != null) {
            throw new IllegalStateException("executor " + slot + " is still running a batch");
        }
        holdUntil = Long.MAX_VALUE;
        expireOverdue(now);
        InferenceTicket oldest = queue.oldest();
        if (oldest == null) {
            return null;
        }
        long slack = oldest.deadlineNanos - now;
        long hold = policy.holdNanos(queue.queuedTiles(), slack, returns.sinceCompletion(now), returns.expectedMore(now));
        if (hold > 0) {
            holdUntil = now + hold;
            return null;
        }
        if (policy.defersToBusyExecutors(queue.queuedTiles(), slack, largestOtherBatch(slot))) {
            return null; // asked again when tiles arrive or a batch completes
        }
        int cap = Math.max(1, Math.min(model.maxBatch(), policy.cap(queue.queuedTiles(), slack)));
        int size = Math.max(1, Math.min(cap, policy.take(queue.queuedTiles(), cap)));
        List<Batch.Entry> entries = queue.take(size, policy.interleavesRequests());
        Batch batch = new Batch(slot, entries, now, now + model.latencyNanos(entries.size()));
        running[slot] = batch;
        metrics.dispatched(batch);
        return batch;
    }

    private int largestOtherBatch(int slot) {
        int largest = 0;
        for (int i = 0; i < running.length; i++) {
            if (i != slot && running[i] != null) {
                largest = Math.max(largest, running[i].size());
            }
        }
        return largest;
    }

    /** The engine filled every output of the batch. */
    public void complete(Batch batch, long now) {
        long latency = finish(batch, now);
        model.record(batch.size(), latency);
        metrics.computed(batch, latency);
        int finishedRequests = 0;
        for (Batch.Entry entry : batch.entries()) {
            InferenceTicket owner = entry.owner();
            owner.computed++;
            if (owner.state == InferenceTicket.State.ACTIVE && owner.computed == owner.tiles.size()) {
                owner.state = InferenceTicket.State.DONE;
                finishedRequests++;
                completer.execute(() -> owner.future().complete(null));
            }
        }
        returns.completed(finishedRequests, now, model.marginalFixedNanos(1));
    }

    /** The engine failed the batch: every request with a tile in it fails with 503 and leaves the queue. */
    public void fail(Batch batch, Throwable cause, long now) {
        metrics.failed(batch, finish(batch, now));
        Set<InferenceTicket> owners = new LinkedHashSet<>();
        batch.entries().forEach(entry -> owners.add(entry.owner()));
        for (InferenceTicket owner : owners) {
            if (owner.state == InferenceTicket.State.ACTIVE) {
                queue.remove(owner);
                owner.state = InferenceTicket.State.FAILED;
                metrics.rejected(RejectedException.Reason.ENGINE_FAILED);
                RejectedException failure = new RejectedException(RejectedException.Reason.ENGINE_FAILED, 1,
                        "inference failed: " + cause.getMessage(), cause);
                completer.execute(() -> owner.future().completeExceptionally(failure));
            }
        }
    }

    /** The client went away: its queued tiles leave the queue; tiles in a running batch finish unused. */
    public void cancel(InferenceTicket ticket) {
        if (ticket.state != InferenceTicket.State.ACTIVE) {
            return;
        }
        int removed = queue.remove(ticket);
        ticket.state = InferenceTicket.State.CANCELLED;
        metrics.cancelled(removed);
        completer.execute(() -> ticket.future().completeExceptionally(new CancellationException("client went away")));
    }

    /** Fails every request whose deadline has passed while tiles of it were queued; returns how many. */
    public int expireOverdue(long now) {
        List<InferenceTicket> overdue = queue.removeOverdue(now);
        if (overdue.isEmpty()) {
            return 0;
        }
        long retry = retrySeconds(predictedDelayNanos(queue.queuedTiles(), now));
        for (InferenceTicket ticket : overdue) {
            ticket.state = InferenceTicket.State.EXPIRED;
            metrics.rejected(RejectedException.Reason.DEADLINE_EXPIRED);
            RejectedException expired = new RejectedException(RejectedException.Reason.DEADLINE_EXPIRED, retry,
                    "deadline passed after " + (now - ticket.arrivalNanos) / 1_000_000 + " ms in the queue");
            completer.execute(() -> ticket.future().completeExceptionally(expired));
        }
        return overdue.size();
    }

    /** Stops admitting: later submits get 503 DRAINING. Queued and running work continues. */
    public void stopAdmitting() {
        admitting = false;
    }

    /** Fails every queued request with 503 DRAINING (the service stops before computing them). */
    public void abandonQueued() {
        InferenceTicket ticket;
        while ((ticket = queue.oldest()) != null) {
            queue.remove(ticket);
            ticket.state = InferenceTicket.State.FAILED;
            metrics.rejected(RejectedException.Reason.DRAINING);
            InferenceTicket failed = ticket;
            completer.execute(() -> failed.future().completeExceptionally(new RejectedException(
                    RejectedException.Reason.DRAINING, 1, "the service stopped before computing the request")));
        }
    }

    /** Records a refusal on arrival made outside the core (e.g. not ready) and builds its exception. */
    public RejectedException reject(RejectedException.Reason reason, long retryAfterSeconds, String message) {
        metrics.rejected(reason);
        return new RejectedException(reason, retryAfterSeconds, message);
    }

    /** Nothing queued and nothing running. */
    public boolean idle() {
        if (!queue.isEmpty()) {
            return false;
        }
        for (Batch batch : running) {
            if (batch != null) {
                return false;
            }
        }
        return true;
    }

    public int queuedTiles() {
        return queue.queuedTiles();
    }

    /** After {@link #nextBatch} returned null because of a hold: when to ask again; otherwise {@link Long#MAX_VALUE}. */
    public long holdUntil() {
        return holdUntil;
    }

    /** Earliest deadline among queued requests, or {@link Long#MAX_VALUE} when none. */
    public long earliestDeadline() {
        return queue.earliestDeadline();
    }

    /** Executor time spent in batches so far, summed over executors, counting running batches up to {@code now}. */
    public long busyNanos(long now) {
        long busy = busyNanosFinished;
        for (Batch batch : running) {
            if (batch != null) {
                busy += Math.max(0, now - batch.dispatchedNanos());
            }
        }
        return busy;
    }

    public int executors() {
        return executors;
    }

    public CostModel model() {
        return model;
    }

    /**
     * Predicted time until {@code tiles} tiles from the head of the queue are computed: the remaining time of the
     * earliest-finishing running batch when no executor is idle, plus the rounds of batches at the cap the policy
     * would use for that depth (see {@link CostModel#drainNanos}).
     */
    long predictedDelayNanos(int tiles, long now) {
        if (tiles <= 0) {
            return 0;
        }
        long residual = Long.MAX_VALUE;
        for (Batch batch : running) {
            residual = batch == null ? 0 : Math.min(residual, Math.max(0, batch.predictedEndNanos() - now));
        }
        int cap = Math.max(1, Math.min(model.maxBatch(), policy.cap(tiles, Long.MAX_VALUE)));
        return residual + model.drainNanos(tiles, cap, executors);
    }

    private long finish(Batch batch, long now) {
        if (running[batch.slot()] != batch) {
            throw new IllegalStateException("batch is not running on executor " + batch.slot());
        }
        running[batch.slot()] = null;
        long latency = Math.max(0, now - batch.dispatchedNanos());
        busyNanosFinished += latency;
        return latency;
    }

    private static long retrySeconds(long nanos) {
        return Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
    }
}
