package io.lamaserve.api;

import io.lamaserve.batching.BatchScheduler;
import io.lamaserve.batching.InferenceTicket;
import io.lamaserve.batching.RejectedException;
import io.lamaserve.config.LamaConfig;
import io.lamaserve.engine.EngineException;
import io.lamaserve.engine.InpaintEngine;
import io.lamaserve.engine.TilePool;
import io.lamaserve.imaging.EncodedImage;
import io.lamaserve.imaging.ImageLimits;
import io.lamaserve.imaging.ImagePipeline;
import io.lamaserve.imaging.OutputFormat;
import io.lamaserve.imaging.PreparedRequest;
import io.lamaserve.imaging.RegionOptions;
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

    /** What one request asks for. {@code format} null = the input's format; {@code timeout} null = the server default. */
    public record Call(byte[] image, byte[] mask, RegionOptions regions, OutputFormat format, int quality, Duration timeout) {
    }

    private final ImagePipeline pipeline;
    private final BatchScheduler scheduler;
    private final InpaintEngine engine;
    private final ImageLimits limits;
    private final long maxBodyBytes;
    private final TilePool tiles;

    InpaintService(ImagePipeline pipeline, BatchScheduler scheduler, InpaintEngine engine, TilePool tiles,
                   LamaConfig config) {
        this.pipeline = pipeline;
        this.scheduler = scheduler;
        this.engine = engine;
        this.tiles = tiles;
        this.limits = new ImageLimits(config.limits().maxPixels());
        this.maxBodyBytes = config.limits().maxBodyBytes();
    }

    /**
     * @param onClientGone receives the action that withdraws this request's queued tiles; the caller runs it
     *                     when the client disconnects
     */
    /**
     * The answer and where its time went, for the {@code Server-Timing} header: decoding and tile preparation,
     * waiting in the queue plus inference, and compositing plus encoding.
     */
    public record Result(EncodedImage image, long prepareNanos, long inferenceNanos, long finishNanos) {

        /**
         * A 200 carrying the image, its media type and the {@code Server-Timing} header.
         *
         * @param receivedNanos time from the request's arrival until its body was read and parsed; negative when
         *                      unknown, and then left out of the header
         */
        public jakarta.ws.rs.core.Response.ResponseBuilder response(long receivedNanos) {
            return jakarta.ws.rs.core.Response.ok(image.bytes(), image.mediaType())
                    .header("Server-Timing", serverTiming(receivedNanos));
        }

        /** The W3C {@code Server-Timing} header value, durations in milliseconds. */
        public String serverTiming(long receivedNanos) {
            String phases = String.format(java.util.Locale.ROOT, "prepare;dur=%.1f, inference;dur=%.1f, finish;dur=%.1f",
                    prepareNanos / 1e6, inferenceNanos / 1e6, finishNanos / 1e6);
            return receivedNanos < 0 ? phases
                    : String.format(java.util.Locale.ROOT, "receive;dur=%.1f, ", receivedNanos / 1e6) + phases;
        }
    }

    public Result inpaint(Call call, Consumer<Runnable> onClientGone) throws RejectedException, EngineException {
        long received = (long) call.image().length + call.mask().length;
        if (received > maxBodyBytes) {
            // a body sent without Content-Length gets past BodyLimitFilter; its files are counted here
            throw new PayloadTooLargeException("image and mask are " + received + " bytes together, the limit is "
                    + maxBodyBytes + " (lama.limits.max-body-bytes)");
        }
        long start = System.nanoTime();
        PreparedRequest prepared = pipeline.prepare(call.image(), call.mask(), call.regions(), engine.tileSize(),
                limits, tiles::acquire);
        long preparedAt = System.nanoTime();
        boolean tilesIdle = true;
        try {
            if (!prepared.tiles().isEmpty()) {
                InferenceTicket ticket = scheduler.submit(prepared.tiles(), call.timeout());
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
