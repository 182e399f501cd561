package io.lamaserve.api.socketio;

import io.lamaserve.api.ApiError;
import io.lamaserve.api.BadRequestException;
import io.smallrye.common.annotation.NonBlocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The Socket.IO endpoint IOPaint's web app connects to at page load for diffusion progress events. LaMa makes no
 * progress events, so the server accepts the connection (Engine.IO v4 long-polling, Socket.IO v5 main namespace)
 * and then only keeps it alive; without it the app retries the connection every few seconds for as long as it is
 * open. WebSocket is not offered: the handshake lists no upgrades, and polling works through any proxy.
 */
@Path("/socket.io")
@Tag(name = "IOPaint-compatible API")
public class SocketIoResource {

    static final String PROTOCOL_VERSION = "4";
    static final String TRANSPORT = "polling";
    /** The most a client may post at once; its packets are a few bytes (namespace connect, pongs). */
    static final int MAX_PAYLOAD_BYTES = 64 * 1024;
    static final String TEXT = "text/plain; charset=UTF-8";

    private final SocketIoSessions sessions;

    SocketIoResource(SocketIoSessions sessions) {
        this.sessions = sessions;
    }

    @GET
    @Produces({TEXT, MediaType.APPLICATION_JSON})
    @NonBlocking
    @Operation(summary = "Engine.IO long-polling: open a session (no sid) or receive its packets (held until there are some)")
    public CompletionStage<Response> poll(@QueryParam("EIO") String version, @QueryParam("transport") String transport,
                                          @QueryParam("sid") String sid) {
        checkQuery(version, transport);
        if (sid == null) {
            return CompletableFuture.completedFuture(handshake());
        }
        PollingSession session = session(sid);
        CompletableFuture<String> packets;
        try {
            packets = session.poll();
        } catch (BadRequestException e) {
            sessions.close(session);
            throw e;
        }
        return packets.thenApply(payload -> Response.ok(payload, TEXT).build());
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces({TEXT, MediaType.APPLICATION_JSON})
    @NonBlocking
    @Operation(summary = "Engine.IO long-polling: send packets to a session")
    public Response send(@QueryParam("EIO") String version, @QueryParam("transport") String transport,
                         @QueryParam("sid") String sid, byte[] body) {
        checkQuery(version, transport);
        if (sid == null) {
            throw new BadRequestException("sid: missing; open a session with a GET first");
        }
        PollingSession session = session(sid);
        if (body.length > MAX_PAYLOAD_BYTES) {
            sessions.close(session);
            return Response.status(413).type(MediaType.APPLICATION_JSON).entity(ApiError.of("PayloadTooLarge",
                    "a poll payload of " + body.length + " bytes; this server takes " + MAX_PAYLOAD_BYTES
                            + " at most (maxPayload of the handshake)")).build();
        }
        try {
            session.receive(new String(body, StandardCharsets.UTF_8));
        } catch (BadRequestException e) {
            sessions.close(session);
            throw e;
        }
        return Response.ok("ok", TEXT).build();
    }

    private Response handshake() {
        return sessions.open()
                .map(session -> Response.ok(PollingSession.OPEN + "{\"sid\":\"" + session.id() + "\",\"upgrades\":[],"
                        + "\"pingInterval\":" + SocketIoSessions.PING_INTERVAL.toMillis()
                        + ",\"pingTimeout\":" + SocketIoSessions.PING_TIMEOUT.toMillis()
                        + ",\"maxPayload\":" + MAX_PAYLOAD_BYTES + "}", TEXT).build())
                .orElseGet(() -> Response.status(503)
                        .header("Retry-After", Long.toString(SocketIoSessions.PING_INTERVAL.toSeconds()))
                        .type(MediaType.APPLICATION_JSON)
                        .entity(ApiError.of("ServiceUnavailable", sessions.accepting()
                                ? "too many open Socket.IO sessions (" + SocketIoSessions.MAX_SESSIONS + "); retry later"
                                : "the server is shutting down; retry later"))
                        .build());
    }

    private PollingSession session(String sid) {
        return sessions.find(sid).orElseThrow(() -> new BadRequestException(
                "sid: unknown or expired session; open a new one with a GET without sid"));
    }

    private static void checkQuery(String version, String transport) {
        if (!PROTOCOL_VERSION.equals(version)) {
            throw new BadRequestException("EIO: this server speaks Engine.IO protocol 4 (Socket.IO 3 and later clients), "
                    + "got " + (version == null ? "none" : "\"" + version + "\""));
        }
        if (!TRANSPORT.equals(transport)) {
            throw new BadRequestException("transport: this server offers \"polling\" only, got "
                    + (transport == null ? "none" : "\"" + transport + "\""));
        }
    }
}
