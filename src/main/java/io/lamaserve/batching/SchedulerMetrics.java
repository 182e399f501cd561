package io.lamaserve.batching;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * The scheduler's meters. Micrometer names below; Prometheus shows them with underscores and unit suffixes, e.g.
 * {@code lama_batch_size}, {@code lama_queue_wait_seconds}, {@code lama_rejections_total{reason}}.
 */
public final class SchedulerMetrics {

    private final MeterRegistry registry;
    private final DistributionSummary batchSize;
    private final Timer queueWait;
    private final Timer inferenceTime;
    private final Counter images;
    private final Counter cancelledTiles;
    private final Counter failedBatches;
    private final Map<RejectedException.Reason, Counter> rejections = new EnumMap<>(RejectedException.Reason.class);

    public SchedulerMetrics(MeterRegistry registry) {
        this.registry = registry;
        batchSize = DistributionSummary.builder("lama.batch.size")
                .description("Tiles per engine call")
                .serviceLevelObjectives(1, 2, 3, 4, 6, 8, 12, 16, 24, 32)
                .register(registry);
        queueWait = Timer.builder("lama.queue.wait")
                .description("Time a tile waited in the queue before its batch started")
                .publishPercentileHistogram()
                .register(registry);
        inferenceTime = Timer.builder("lama.inference.time")
                .description("Engine time of one batch")
                .publishPercentileHistogram()
                .register(registry);
        images = Counter.builder("lama.images")
                .description("Tiles computed; images per second is its rate")
                .register(registry);
        cancelledTiles = Counter.builder("lama.cancelled.tiles")
                .description("Queued tiles removed before computation because the client went away")
                .register(registry);
        failedBatches = Counter.builder("lama.failed.batches")
                .description("Batches the engine failed")
                .register(registry);
        for (RejectedException.Reason reason : RejectedException.Reason.values()) {
            rejections.put(reason, Counter.builder("lama.rejections")
                    .description("Requests refused on arrival or dropped before computation")
                    .tag("reason", reason.tag())
                    .register(registry));
        }
    }

    /**
     * Registers the gauges that read live state.
     *
     * @param queueDepth tiles waiting
     * @param busyNanos  cumulative busy time summed over executors
     */
    void registerGauges(IntSupplier queueDepth, LongSupplier busyNanos, Ticker ticker, int executors, CostModel model) {
        Gauge.builder("lama.queue.depth", queueDepth, IntSupplier::getAsInt)
                .description("Tiles waiting in the queue")
                .strongReference(true)
                .register(registry);
        BusyRatio ratio = new BusyRatio(busyNanos, ticker, executors);
        Gauge.builder("lama.executor.busy.ratio", ratio, BusyRatio::sample)
                .description("Share of time the executors spent in the engine since the previous scrape")
                .strongReference(true)
                .register(registry);
        Gauge.builder("lama.batch.knee", model, CostModel::knee)
                .description("Batch cap of the adaptive policy: smallest batch near the best images/s")
                .strongReference(true)
                .register(registry);
        for (int size = 1; size <= model.maxBatch(); size++) {
            int batch = size;
            Gauge.builder("lama.cost.model.latency", model, m -> m.calibrated() ? m.latencyNanos(batch) / 1e9 : Double.NaN)
                    .description("Predicted latency of one batch of this size")
                    .tag("batch", Integer.toString(batch))
                    .baseUnit("seconds")
                    .strongReference(true)
                    .register(registry);
        }
    }

    void dispatched(Batch batch) {
        batchSize.record(batch.size());
        for (Batch.Entry entry : batch.entries()) {
            queueWait.record(batch.dispatchedNanos() - entry.owner().arrivalNanos, TimeUnit.NANOSECONDS);
        }
    }

    void computed(Batch batch, long latencyNanos) {
        inferenceTime.record(latencyNanos, TimeUnit.NANOSECONDS);
        images.increment(batch.size());
    }

    void failed(Batch batch, long latencyNanos) {
        inferenceTime.record(latencyNanos, TimeUnit.NANOSECONDS);
        failedBatches.increment();
    }

    void rejected(RejectedException.Reason reason) {
        rejections.get(reason).increment();
    }

    void cancelled(int tiles) {
        cancelledTiles.increment(tiles);
    }

    /** Busy share over the interval between two reads. */
    private static final class BusyRatio {
        private final LongSupplier busyNanos;
        private final Ticker ticker;
        private final int executors;
        private long lastBusy;
        private long lastRead;

        BusyRatio(LongSupplier busyNanos, Ticker ticker, int executors) {
            this.busyNanos = busyNanos;
            this.ticker = ticker;
            this.executors = executors;
            this.lastRead = ticker.read();
            this.lastBusy = busyNanos.getAsLong();
        }

        synchronized double sample() {
            long now = ticker.read();
            long busy = busyNanos.getAsLong();
            long elapsed = now - lastRead;
            if (elapsed <= 0) {
                return 0;
            }
            double ratio = (double) (busy - lastBusy) / ((double) elapsed * executors);
            lastRead = now;
            lastBusy = busy;
            return Math.min(1, Math.max(0, ratio));
        }
    }
}
