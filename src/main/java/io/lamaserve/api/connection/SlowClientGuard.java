package io.lamaserve.api.connection;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Watches one HTTP/1.1 connection, between the HTTP decoder and the server's request handling, and cuts it off when
 * the client is too slow: headers (of a kept-alive connection's next request; the first request's are timed by the
 * HTTP server's idle timeout, see {@link SlowClientGuards}) not complete within the header timeout, a body that stops
 * moving for the body timeout, or that is still arriving at the request's deadline, or that grows past the body
 * limit without having announced its length. While the server works on a request whose body has arrived, nothing is
 * timed here: the request's own deadline bounds that.
 *
 * <p>An answer sent before its request's body is in (413 from Content-Length, 401, a refusal from here) ends the
 * connection: it says {@code Connection: close}, the server stops writing, and what the client still sends is read
 * and dropped for up to {@link #LINGER_MILLIS} before the socket closes. Keeping such a connection alive is not safe:
 * a client that stops sending the body on an error answer, as RFC 9112 advises, leaves the server reading its next
 * request as the rest of the old body; closing at once instead can reset the connection before the client has read
 * the answer.
 *
 * <p>Every method runs on the connection's event loop, so the state needs no locking.
 */
final class SlowClientGuard extends ChannelDuplexHandler {

    static final String NAME = "lama-slow-client-guard";

    /** How often the timers are checked; cut-offs happen up to this much after their moment. */
    static final long TICK_MILLIS = 250;

    /** Longest the rest of a refused body is read and dropped after the answer, before the socket closes. */
    static final long LINGER_MILLIS = 2_000;

    enum Phase {
        /** Between requests: waiting for the next request's headers. */
        IDLE,
        /** Headers in, body arriving. */
        BODY,
        /** Body in, answer not yet sent. */
        WORKING,
        /** Answered before the body was in: output shut, the rest of the body dropped until the socket closes. */
        CLOSING
    }

    private final SlowClientGuards guards;
    private ChannelHandlerContext context;
    private ScheduledFuture<?> ticks;
    private Phase phase;
    private long phaseSince;
    private long lastBodyNanos;
    private long bodyDeadline;
    private long bodyBytes;
    private boolean answerStarted;
    private boolean answeredEarly;

    /**
     * @param phase        where the request that revealed this connection stands
     * @param arrivedNanos when that request's headers were complete
     * @param deadline     its deadline (System.nanoTime), for the body to be in
     */
    SlowClientGuard(SlowClientGuards guards, Phase phase, long arrivedNanos, long deadline) {
        this.guards = guards;
        this.phase = phase;
        this.phaseSince = arrivedNanos;
        this.lastBodyNanos = System.nanoTime();
        this.bodyDeadline = deadline;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        context = ctx;
        ticks = ctx.executor().scheduleAtFixedRate(this::check, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
        guards.opened(this);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        stop();
        super.channelInactive(ctx);
    }

    private void stop() {
        if (ticks != null) {
            ticks.cancel(false);
        }
        guards.closed(this);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        long now = System.nanoTime();
        if (phase == Phase.CLOSING) {
            ReferenceCountUtil.release(msg);
            if (msg instanceof LastHttpContent) {
                context.close();
            }
            return;
        }
        if (msg instanceof HttpRequest request) {
            phase = Phase.BODY;
            phaseSince = now;
            lastBodyNanos = now;
            bodyBytes = 0;
            answerStarted = false;
            answeredEarly = false;
            bodyDeadline = now + guards.requestTimeout(request.headers().get(guards.deadlineHeader())).toNanos();
        }
        if (msg instanceof HttpContent content) {
            lastBodyNanos = now;
            bodyBytes += content.content().readableBytes();
            if (bodyBytes > guards.maxBodyBytes() && phase == Phase.BODY) {
                ReferenceCountUtil.release(msg);
                refuse(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "PayloadTooLarge", "request body is over "
                        + guards.maxBodyBytes() + " bytes, the limit (lama.limits.max-body-bytes)");
                return;
            }
            if (msg instanceof LastHttpContent && phase == Phase.BODY) {
                phase = Phase.WORKING;
                phaseSince = now;
            }
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof HttpResponse response) {
            answerStarted = true;
            if (phase == Phase.BODY && response.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
                answeredEarly = true;
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            }
        }
        if (msg instanceof LastHttpContent) {
            promise = promise.unvoid();
            promise.addListener(written -> answered());
        }
        super.write(ctx, msg, promise);
    }

    private void answered() {
        if (answeredEarly) {
            closing(System.nanoTime());
            shutOutput();
            return;
        }
        if (phase == Phase.BODY) {
            // an interim answer (100 Continue): the body is still to come
            return;
        }
        phase = Phase.IDLE;
        phaseSince = System.nanoTime();
        if (guards.draining()) {
            context.close();
        }
    }

    /** From now on what arrives is dropped, until the body ends, the client closes or the linger time is up. */
    private void closing(long now) {
        if (phase != Phase.CLOSING) {
            phase = Phase.CLOSING;
            phaseSince = now;
        }
    }

    /** Stops writing: the client sees the end of the answer and of the connection, and can still send. */
    private void shutOutput() {
        if (!context.channel().isActive()) {
            return;
        }
        if (context.channel() instanceof DuplexChannel duplex) {
            duplex.shutdownOutput();
        } else {
            context.close();
        }
    }

    /** Closes the connection now if it carries no request or only a stalled body; used when shutdown begins. */
    void closeIfIdleOrStalled() {
        context.executor().execute(this::check);
    }

    private void check() {
        if (!context.channel().isActive()) {
            return;
        }
        long now = System.nanoTime();
        switch (phase) {
            case IDLE -> {
                if (guards.draining() || now - phaseSince > guards.headerTimeout().toNanos()) {
                    context.close();
                }
            }
            case BODY -> {
                long stalledFor = now - lastBodyNanos;
                long stallLimit = (guards.draining() ? guards.drainStallTimeout() : guards.bodyIdleTimeout()).toNanos();
                if (stalledFor > stallLimit) {
                    refuse(HttpResponseStatus.REQUEST_TIMEOUT, "RequestTimeout", String.format(java.util.Locale.ROOT,
                            "request body: nothing arrived for %.1f s after %d bytes; send the body without pauses",
                            stalledFor / 1e9, bodyBytes));
                } else if (now > bodyDeadline) {
                    refuse(HttpResponseStatus.REQUEST_TIMEOUT, "RequestTimeout", String.format(java.util.Locale.ROOT,
                            "request body: still arriving after %.1f s, the request's deadline; %d bytes came",
                            (now - phaseSince) / 1e9, bodyBytes));
                }
            }
            case WORKING -> {
                // the request's deadline bounds the answer
            }
            case CLOSING -> {
                if (guards.draining() || now - phaseSince > TimeUnit.MILLISECONDS.toNanos(LINGER_MILLIS)) {
                    context.close();
                }
            }
        }
    }

    /**
     * Answers with a JSON error in the API's shape and ends the connection as every early answer does (output shut,
     * the rest dropped until {@link #LINGER_MILLIS}); when an answer has already begun, closes at once.
     */
    private void refuse(HttpResponseStatus status, String error, String detail) {
        guards.cutOff(status.code());
        if (answerStarted) {
            context.close();
            return;
        }
        byte[] body = ("{\"error\":\"" + error + "\",\"detail\":\"" + detail + "\",\"errors\":\"" + detail + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        answerStarted = true;
        closing(System.nanoTime());
        context.writeAndFlush(response).addListener(written -> shutOutput());
    }
}
