package io.lamaserve.api.connection;

import io.lamaserve.api.ClientDeadline;
import io.lamaserve.config.LamaConfig;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Cuts off slow and stalled clients (see {@link SlowClientGuard}) and, on shutdown, closes at once the connections
 * that carry no request or only a stalled body, so that the graceful stop waits only for requests that can still
 * be answered.
 *
 * <p>A new connection's first request is covered by the HTTP server's idle timeout, set to the header timeout and
 * counted from the accept: a client that connects and stops sending is closed after it, and so is one that trickles
 * its first request's headers, however steadily. Vert.x puts its idle handler behind the HTTP decoder, and the decoder
 * passes nothing on before the headers are complete, so trickled bytes never reset that timer ({@code SlowClientIT}
 * checks both). Once a connection's first request is in, its guard takes over and that idle timeout is removed, since
 * a request may then rightly be silent while the server works on it. The server speaks HTTP/1.1 only
 * ({@code quarkus.http.http2=false}), so every connection is watched.
 */
@ApplicationScoped
public class SlowClientGuards implements HttpServerOptionsCustomizer {

    private static final Logger LOG = Logger.getLogger(SlowClientGuards.class);
    /** Names Vert.x gives its handlers in an HTTP/1.x connection's pipeline. */
    private static final String VERTX_DECODER = "httpDecoder";
    private static final String VERTX_HANDLER = "handler";
    private static final String VERTX_IDLE = "idle";

    private final Duration headerTimeout;
    private final Duration bodyIdleTimeout;
    private final Duration drainStallTimeout;
    private final Duration requestTimeout;
    private final long maxBodyBytes;
    private final Set<SlowClientGuard> open = ConcurrentHashMap.newKeySet();
    private volatile boolean draining;
    private volatile boolean unwatchedReported;

    SlowClientGuards(LamaConfig config) {
        this.headerTimeout = config.http().headerTimeout();
        this.bodyIdleTimeout = config.http().bodyIdleTimeout();
        this.drainStallTimeout = config.http().drainStallTimeout();
        this.requestTimeout = config.batching().timeout();
        this.maxBodyBytes = config.limits().maxBodyBytes();
    }

    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        options.setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
        options.setIdleTimeout((int) Math.min(Integer.MAX_VALUE, headerTimeout.toMillis()));
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::watch);
    }

    /** Puts a guard on the request's connection, unless it has one. Runs on the connection's event loop. */
    private void watch(RoutingContext routing) {
        HttpConnection connection = routing.request().connection();
        if (connection instanceof ConnectionBase base) {
            Channel channel = base.channel();
            ChannelPipeline pipeline = channel.pipeline();
            if (pipeline.get(SlowClientGuard.NAME) == null && pipeline.get(VERTX_DECODER) != null
                    && pipeline.get(VERTX_HANDLER) != null) {
                long now = System.nanoTime();
                SlowClientGuard.Phase phase = routing.request().isEnded()
                        ? SlowClientGuard.Phase.WORKING : SlowClientGuard.Phase.BODY;
                long deadline = now + requestTimeout(routing.request().getHeader(ClientDeadline.HEADER)).toNanos();
                pipeline.addBefore(VERTX_HANDLER, SlowClientGuard.NAME,
                        new SlowClientGuard(this, phase, now, deadline));
                if (pipeline.get(VERTX_IDLE) != null) {
                    pipeline.remove(VERTX_IDLE);
                }
            } else if (pipeline.get(SlowClientGuard.NAME) == null && !unwatchedReported) {
                // the HTTP server is HTTP/1.1 only (application.properties); a pipeline without Vert.x's HTTP/1.1
                // handlers means that changed, and with it the body limit for chunked uploads
                unwatchedReported = true;
                LOG.warnf("a connection with handlers %s is not watched for slow clients or oversized chunked "
                        + "bodies", pipeline.names());
            }
        }
        routing.next();
    }

    /**
     * SIGTERM: from now on connections close once their answer is sent, idle ones and stalled bodies at once;
     * bodies still arriving are read and their requests answered.
     */
    void onShutdownSignal(@Observes ShutdownDelayInitiatedEvent event) {
        draining = true;
        LOG.infof("Shutdown signalled: closing %d idle or stalled connection(s) if any, finishing the others",
                open.size());
        open.forEach(SlowClientGuard::closeIfIdleOrStalled);
    }

    /** The request's deadline from the end of its headers: the server's, or the client's shorter one. */
    Duration requestTimeout(String clientHeader) {
        try {
            Duration asked = ClientDeadline.parse(clientHeader);
            return asked == null || asked.compareTo(requestTimeout) > 0 ? requestTimeout : asked;
        } catch (RuntimeException malformed) {
            // the API answers the malformed header with a 400; here the server's deadline applies
            return requestTimeout;
        }
    }

    void cutOff(int status) {
        LOG.debugf("slow client cut off with %d", status);
    }

    void opened(SlowClientGuard guard) {
        open.add(guard);
    }

    void closed(SlowClientGuard guard) {
        open.remove(guard);
    }

    boolean draining() {
        return draining;
    }

    String deadlineHeader() {
        return ClientDeadline.HEADER;
    }

    Duration headerTimeout() {
        return headerTimeout;
    }

    Duration bodyIdleTimeout() {
        return bodyIdleTimeout;
    }

    Duration drainStallTimeout() {
        return drainStallTimeout;
    }

    long maxBodyBytes() {
        return maxBodyBytes;
    }
}
