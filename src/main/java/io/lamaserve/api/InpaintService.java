package io.lamaserve.api;

import io.lamaserve.batching.BatchScheduler;
import io.lamaserve.batching.InferenceTicket;
import io.lamaserve.batching.PixelBudget;
import io.lamaserve.batching.RejectedException;
import io.lamaserve.config.LamaConfig;
import io.lamaserve.engine.EngineException;
import io.lamaserve.engine.InpaintEngine;
import io.lamaserve.imaging.EncodedImage;
import io.lamaserve.imaging.ImageLimits;
import io.lamaserve.imaging.ImagePipeline;
import io.lamaserve.imaging.OutputFormat;
import io.lamaserve.imaging.PreparedRequest;
import io.lamaserve.imaging.RegionOptions;
import io.lamaserve.tile.TilePool;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * One inpainting request from bytes to bytes: decode and plan (imaging), queue the tiles (batching), wait for
 * the engine, composite and encode (imaging). Both HTTP endpoints go through here. Runs on the request's
 * virtual thread, so waiting for the batch blocks nothing else.
 */
@ApplicationScoped
public class InpaintService {

    /**
     * What one request asks for. {@code format} null = the input's format; {@code timeout} null = the server
     * default; {@code arrivedNanos} ({@link System#nanoTime()}) is when its headers were in, where its deadline
     * starts, so that the time its body took to arrive counts.
     */
    public record Call(byte[] image, byte[] mask, RegionOptions regions, OutputFormat format, int quality,
                       Duration timeout, long arrivedNanos) {
    }

    private final ImagePipeline pipeline;
    private final BatchScheduler scheduler;
    private final InpaintEngine engine;
    private final ImageLimits limits;
    private final long maxBodyBytes;
    private final TilePool tiles;
    private final PixelBudget pixels;
    private final Duration pixelsWait;
    private final Duration defaultTimeout;

    InpaintService(ImagePipeline pipeline, BatchScheduler scheduler, InpaintEngine engine, TilePool tiles,
                   LamaConfig config) {
        this.pipeline = pipeline;
        this.scheduler = scheduler;
        this.engine = engine;
        this.tiles = tiles;
        this.limits = new ImageLimits(config.limits().maxPixels());
        this.maxBodyBytes = config.limits().maxBodyBytes();
        if (config.limits().maxPixelsInFlight() < config.limits().maxPixels()) {
            throw new ConfigurationException("lama.limits.max-pixels-in-flight (" + config.limits().maxPixelsInFlight()
                    + ") must be at least lama.limits.max-pixels (" + config.limits().maxPixels()
                    + "), or the largest images could never be admitted");
        }
        this.pixels = new PixelBudget(config.limits().maxPixelsInFlight());
        this.pixelsWait = config.limits().pixelsInFlightWait();
        this.defaultTimeout = config.batching().timeout();
    }

    /**
     * The answer and where its time went: decoding and tile preparation, waiting in the queue plus inference, and
     * compositing plus encoding.
     */
    public record Result(EncodedImage image, long prepareNanos, long inferenceNanos, long finishNanos) {
    }

    /**
     * @param onClientGone receives the action that withdraws this request's queued tiles; the caller runs it
     *                     when the client disconnects
     */
    public Result inpaint(Call call, Consumer<Runnable> onClientGone) throws RejectedException, EngineException {
        long received = (long) call.image().length + call.mask().length;
        if (received > maxBodyBytes) {
            // a body sent without Content-Length gets past BodyLimitFilter; its files are counted here
            throw new PayloadTooLargeException("image and mask are " + received + " bytes together, the limit is "
                    + maxBodyBytes + " (lama.limits.max-body-bytes)");
        }
        long start = System.nanoTime();
        long left = remainingNanos(call, start);
        long imagePixels = pipeline.pixels(call.image(), limits);
        PixelBudget.Reservation reserved;
        try {
            reserved = pixels.reserve(imagePixels, Duration.ofNanos(Math.min(pixelsWait.toNanos(), left)));
        } catch (RejectedException refused) {
            scheduler.countRefusal(refused.reason());
            throw refused;
        }
        try (reserved) {
            return inpaintDecoded(call, start, onClientGone);
        }
    }

    private Result inpaintDecoded(Call call, long start, Consumer<Runnable> onClientGone)
            throws RejectedException, EngineException {
        PreparedRequest prepared = pipeline.prepare(call.image(), call.mask(), call.regions(), engine.tileSize(),
                limits, tiles::acquire);
        long preparedAt = System.nanoTime();
        boolean tilesIdle = true;
        try {
            if (!prepared.tiles().isEmpty()) {
                InferenceTicket ticket = scheduler.submit(prepared.tiles(),
                        Duration.ofNanos(remainingNanos(call, preparedAt)), call.arrivedNanos());
                onClientGone.accept(ticket::cancel);
                await(ticket);
            }
            long inferred = System.nanoTime();
            EncodedImage image = pipeline.complete(prepared, call.format(), call.quality());
            return new Result(image, preparedAt - start, inferred - preparedAt, System.nanoTime() - inferred);
        } catch (CancellationException withdrawn) {
            // a withdrawn request's tiles may still be in a running batch: leave them to the garbage collector
            tilesIdle = false;
            throw withdrawn;
        } finally {
            if (tilesIdle) {
                tiles.release(prepared.tiles());
            }
        }
    }

    /**
     * Time left of the request's deadline, which began when its headers were in.
     *
     * @throws RejectedException {@link RejectedException.Reason#DEADLINE_EXPIRED} when none is left
     */
    private long remainingNanos(Call call, long now) {
        Duration timeout = call.timeout() == null || call.timeout().compareTo(defaultTimeout) > 0
                ? defaultTimeout : call.timeout();
        long left = timeout.toNanos() - (now - call.arrivedNanos());
        if (left <= 0) {
            scheduler.countRefusal(RejectedException.Reason.DEADLINE_EXPIRED);
            throw new RejectedException(RejectedException.Reason.DEADLINE_EXPIRED, 1, String.format(
                    java.util.Locale.ROOT, "the %.1f s deadline passed before the request could be queued (its body "
                            + "took %.1f s to arrive)", timeout.toMillis() / 1e3, (now - call.arrivedNanos()) / 1e9));
        }
        return left;
    }

    private static void await(InferenceTicket ticket) throws RejectedException, EngineException {
        try {
            ticket.completion().get();
        } catch (InterruptedException e) {
            ticket.cancel();
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while waiting for inference");
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case RejectedException rejected -> throw rejected;
                case EngineException failed -> throw failed;
                case RuntimeException unexpected -> throw unexpected;
                case Throwable other -> throw new IllegalStateException(other);
            }
        }
    }
}
