package io.lamaserve.api.socketio;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The open Socket.IO sessions, their heartbeat and their end: a session whose client stops answering pings is
 * dropped, and on shutdown every held poll is released with a close packet so the clients reconnect elsewhere
 * rather than hold the server's graceful shutdown open.
 */
@ApplicationScoped
public class SocketIoSessions {

    /** Engine.IO's own defaults: a ping every 25 s, 20 s to answer it. */
    static final Duration PING_INTERVAL = Duration.ofSeconds(25);
    static final Duration PING_TIMEOUT = Duration.ofSeconds(20);
    /** A browser tab holds one session; this many at once is a client gone wrong, not a crowd of users. */
    static final int MAX_SESSIONS = 1024;
    /** How often pings are due and silent sessions are looked for. */
    static final Duration SWEEP_PERIOD = Duration.ofSeconds(1);

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, PollingSession> sessions = new ConcurrentHashMap<>();
    private final Vertx vertx;
    private volatile boolean accepting = true;
    private long sweepTimer = -1;

    SocketIoSessions(Vertx vertx) {
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent event) {
        sweepTimer = vertx.setPeriodic(SWEEP_PERIOD.toMillis(), id -> heartbeat(System.nanoTime()));
    }

    /** A new session, or empty when the server is shutting down or already holds {@link #MAX_SESSIONS}. */
    Optional<PollingSession> open() {
        if (!accepting || sessions.size() >= MAX_SESSIONS) {
            return Optional.empty();
        }
        PollingSession session = new PollingSession(randomId(), randomId(), System.nanoTime());
        sessions.put(session.id(), session);
        return Optional.of(session);
    }

    Optional<PollingSession> find(String id) {
        PollingSession session = id == null ? null : sessions.get(id);
        return session == null || session.closed() ? Optional.empty() : Optional.of(session);
    }

    /** Ends a session after a protocol violation, as the protocol asks. */
    void close(PollingSession session) {
        session.close();
        sessions.remove(session.id());
    }

    int size() {
        return sessions.size();
    }

    boolean accepting() {
        return accepting;
    }

    /** Sends the pings that are due and drops the sessions that are closed or left a ping unanswered. */
    void heartbeat(long nowNanos) {
        long interval = PING_INTERVAL.toNanos();
        long timeout = PING_TIMEOUT.toNanos();
        sessions.values().removeIf(session -> {
            if (session.closed()) {
                return true;
            }
            if (session.heartbeat(nowNanos, interval, timeout)) {
                session.close();
                return true;
            }
            return false;
        });
    }

    void onShutdownSignal(@Observes ShutdownDelayInitiatedEvent event) {
        closeAll();
    }

    void onShutdown(@Observes ShutdownEvent event) {
        closeAll();
        if (sweepTimer >= 0) {
            vertx.cancelTimer(sweepTimer);
        }
    }

    private void closeAll() {
        accepting = false;
        sessions.values().removeIf(session -> {
            session.close();
            return true;
        });
    }

    private static String randomId() {
        byte[] bytes = new byte[15];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
