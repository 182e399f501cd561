package io.lamaserve.api;

import io.vertx.ext.web.RoutingContext;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Notes when a request reached the application, before its body is read, so that an answer can report the time
 * spent receiving and parsing the body (for multipart, also splitting it into its parts) as the Server-Timing phase
 * {@code receive}. Without it a client sees that time only as an unexplained gap in its own latency.
 */
public class RequestArrival {

    private static final String ARRIVED = "io.lamaserve.arrived-nanos";

    @ServerRequestFilter(preMatching = true)
    public void stamp(RoutingContext routing) {
        routing.put(ARRIVED, System.nanoTime());
    }

    /** When the request arrived ({@link System#nanoTime()}); now when it was not stamped. */
    static long arrivedNanos(RoutingContext routing) {
        Long arrived = routing == null ? null : routing.get(ARRIVED);
        return arrived == null ? System.nanoTime() : arrived;
    }

    /** Nanoseconds from arrival until now, or -1 when the request was not stamped. */
    static long receivedNanos(RoutingContext routing) {
        Long arrived = routing == null ? null : routing.get(ARRIVED);
        return arrived == null ? -1 : System.nanoTime() - arrived;
    }
}
