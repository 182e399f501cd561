package io.lamaserve.api.socketio;

import io.lamaserve.api.BadRequestException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One Engine.IO v4 session on the HTTP long-polling transport, with the Socket.IO v5 main namespace on top.
 * Packets for the client wait in an outbox until it polls; a poll that finds none is held until there are.
 * The only packets this server ever sends are the namespace answer and heartbeat pings: LaMa has no progress to
 * report, so a connected client just stays connected quietly.
 */
final class PollingSession {

    /** Engine.IO packet types (the first character of a packet). */
    static final char OPEN = '0';
    static final char CLOSE = '1';
    static final char PING = '2';
    static final char PONG = '3';
    static final char MESSAGE = '4';
    static final char UPGRADE = '5';
    static final char NOOP = '6';

    /** Socket.IO packet types (the first character of an Engine.IO message). */
    static final char SIO_CONNECT = '0';
    static final char SIO_DISCONNECT = '1';
    static final char SIO_CONNECT_ERROR = '4';

    /** Separates the packets of one long-polling payload. */
    static final char RECORD_SEPARATOR = '\u001e';

    private final String id;
    private final String namespaceSid;
    private final List<String> outbox = new ArrayList<>();
    private CompletableFuture<String> heldPoll;
    private long lastPingNanos;
    private long awaitedPongSinceNanos = -1;
    private boolean closed;

    PollingSession(String id, String namespaceSid, long nowNanos) {
        this.id = id;
        this.namespaceSid = namespaceSid;
        this.lastPingNanos = nowNanos;
    }

    String id() {
        return id;
    }

    /**
     * The client's GET: completes at once with what is waiting, or later when something is sent.
     *
     * @throws BadRequestException when another poll of this session is still held (the client may hold one only)
     */
    synchronized CompletableFuture<String> poll() {
        if (closed) {
            return CompletableFuture.completedFuture(String.valueOf(CLOSE));
        }
        if (heldPoll != null && !heldPoll.isDone()) {
            throw new BadRequestException("a poll of this session is already waiting; a client may hold one at a time");
        }
        CompletableFuture<String> poll = new CompletableFuture<>();
        if (outbox.isEmpty()) {
            heldPoll = poll;
        } else {
            poll.complete(drainOutbox());
        }
        return poll;
    }

    /**
     * The client's POST: one or more packets separated by {@link #RECORD_SEPARATOR}.
     *
     * @throws BadRequestException when a packet is empty or of no known type
     */
    void receive(String payload) {
        for (String packet : payload.split(String.valueOf(RECORD_SEPARATOR), -1)) {
            if (packet.isEmpty()) {
                throw new BadRequestException("an empty packet; expected a packet type digit 0-6");
            }
            switch (packet.charAt(0)) {
                case PONG -> pong();
                case CLOSE -> close();
                case MESSAGE -> onMessage(packet.substring(1));
                // a client's ping and noop need no answer; upgrade is never offered, so never completed
                case PING, NOOP, UPGRADE -> { }
                // binary payloads ("b" + base64) carry Socket.IO attachments; nothing here reads any
                case 'b' -> { }
                default -> throw new BadRequestException("unknown packet type '" + packet.charAt(0)
                        + "'; expected a packet type digit 0-6");
            }
        }
    }

    private void onMessage(String message) {
        if (message.isEmpty()) {
            throw new BadRequestException("an empty message packet; expected a Socket.IO packet");
        }
        char type = message.charAt(0);
        if (type != SIO_CONNECT) {
            // DISCONNECT needs no answer and events are not listened to: the app only listens for progress
            return;
        }
        // "0" or "0{auth}" joins the main namespace; "0/name,..." asks for another one, which this server has not
        if (message.length() > 1 && message.charAt(1) == '/') {
            int comma = message.indexOf(',');
            String namespace = comma < 0 ? message.substring(1) : message.substring(1, comma);
            send("" + MESSAGE + SIO_CONNECT_ERROR + namespace + ",{\"message\":\"Invalid namespace\"}");
            return;
        }
        send("" + MESSAGE + SIO_CONNECT + "{\"sid\":\"" + namespaceSid + "\"}");
    }

    /** Sends a ping once the interval has passed; true when the client has let the previous one go unanswered. */
    synchronized boolean heartbeat(long nowNanos, long intervalNanos, long timeoutNanos) {
        if (awaitedPongSinceNanos >= 0) {
            return nowNanos - awaitedPongSinceNanos > timeoutNanos;
        }
        if (nowNanos - lastPingNanos >= intervalNanos) {
            lastPingNanos = nowNanos;
            awaitedPongSinceNanos = nowNanos;
            send(String.valueOf(PING));
        }
        return false;
    }

    private synchronized void pong() {
        awaitedPongSinceNanos = -1;
    }

    synchronized boolean closed() {
        return closed;
    }

    /** Ends the session; a held poll gets a close packet, so the client knows at once instead of at its timeout. */
    synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        outbox.clear();
        send(String.valueOf(CLOSE));
    }

    private synchronized void send(String packet) {
        outbox.add(packet);
        if (heldPoll != null) {
            CompletableFuture<String> poll = heldPoll;
            heldPoll = null;
            poll.complete(drainOutbox());
        }
    }

    private String drainOutbox() {
        String payload = String.join(String.valueOf(RECORD_SEPARATOR), outbox);
        outbox.clear();
        return payload;
    }
}
