package io.lamaserve.batching;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The requests that still have tiles waiting, in arrival order, and how a batch takes tiles from them. Not
 * thread-safe: {@link SchedulingCore} guards it.
 */
final class TileQueue {

    private final LinkedHashSet<InferenceTicket> requests = new LinkedHashSet<>();
    private int queuedTiles;

    void add(InferenceTicket ticket) {
        if (ticket.queuedTiles() > 0 && requests.add(ticket)) {
            queuedTiles += ticket.queuedTiles();
        }
    }

    /** Takes the request's waiting tiles out of the queue; returns how many there were. */
    int remove(InferenceTicket ticket) {
        if (!requests.remove(ticket)) {
            return 0;
        }
        int removed = ticket.queuedTiles();
        queuedTiles -= removed;
        return removed;
    }

    int queuedTiles() {
        return queuedTiles;
    }

    boolean isEmpty() {
        return requests.isEmpty();
    }

    /** The request that arrived first among those with waiting tiles, or null. */
    InferenceTicket oldest() {
        return requests.isEmpty() ? null : requests.getFirst();
    }

    /** Requests whose deadline is at or before {@code now}, removed from the queue. */
    List<InferenceTicket> removeOverdue(long now) {
        List<InferenceTicket> overdue = new ArrayList<>();
        for (Iterator<InferenceTicket> it = requests.iterator(); it.hasNext(); ) {
            InferenceTicket ticket = it.next();
            if (ticket.deadlineNanos <= now) {
                it.remove();
                queuedTiles -= ticket.queuedTiles();
                overdue.add(ticket);
            }
        }
        return overdue;
    }

    /** Earliest deadline among queued requests, or {@link Long#MAX_VALUE}. */
    long earliestDeadline() {
        long earliest = Long.MAX_VALUE;
        for (InferenceTicket ticket : requests) {
            earliest = Math.min(earliest, ticket.deadlineNanos);
        }
        return earliest;
    }

    /**
     * Takes up to {@code cap} tiles. Interleaved: passes over the requests in arrival order, one tile from each per
     * pass, so every request at the head progresses in every batch and the oldest is always served first.
     * Otherwise: the oldest request's tiles first, in order.
     */
    List<Batch.Entry> take(int cap, boolean interleave) {
        List<Batch.Entry> taken = new ArrayList<>(cap);
        while (taken.size() < cap && !requests.isEmpty()) {
            for (Iterator<InferenceTicket> it = requests.iterator(); it.hasNext() && taken.size() < cap; ) {
                InferenceTicket ticket = it.next();
                do {
                    taken.add(new Batch.Entry(ticket, ticket.nextToDispatch++));
                    queuedTiles--;
                } while (!interleave && taken.size() < cap && ticket.queuedTiles() > 0);
                if (ticket.queuedTiles() == 0) {
                    it.remove();
                }
            }
        }
        return taken;
    }
}
