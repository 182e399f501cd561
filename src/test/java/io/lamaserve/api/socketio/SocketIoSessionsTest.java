package io.lamaserve.api.socketio;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SocketIoSessionsTest {

    /** No timer runs: the tests call the heartbeat themselves. */
    private final SocketIoSessions sessions = new SocketIoSessions(null);

    @Test
    void sessionsHaveDistinctUnguessableIds() {
        PollingSession a = sessions.open().orElseThrow();
        PollingSession b = sessions.open().orElseThrow();
        assertNotEquals(a.id(), b.id());
        assertEquals(20, a.id().length(), "15 random bytes, base64url");
        assertEquals(a, sessions.find(a.id()).orElseThrow());
        assertTrue(sessions.find("not-a-session").isEmpty());
        assertTrue(sessions.find(null).isEmpty());
    }

    @Test
    void aSessionThatLeavesAPingUnansweredIsDropped() {
        PollingSession session = sessions.open().orElseThrow();
        long opened = System.nanoTime();
        long interval = SocketIoSessions.PING_INTERVAL.toNanos();
        long timeout = SocketIoSessions.PING_TIMEOUT.toNanos();
        sessions.heartbeat(opened + interval + 1_000_000);
        assertEquals("2", session.poll().getNow(null));
        sessions.heartbeat(opened + interval + timeout + 2_000_000);
        assertTrue(sessions.find(session.id()).isEmpty());
        assertEquals(0, sessions.size());
    }

    @Test
    void refusesNewSessionsBeyondTheBound() {
        for (int i = 0; i < SocketIoSessions.MAX_SESSIONS; i++) {
            assertTrue(sessions.open().isPresent());
        }
        assertTrue(sessions.open().isEmpty());
        assertTrue(sessions.accepting(), "a full table is not a shutdown");
    }

    @Test
    void shutdownReleasesEveryHeldPollAndRefusesNewSessions() {
        List<CompletableFuture<String>> polls = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            polls.add(sessions.open().orElseThrow().poll());
        }
        sessions.onShutdownSignal(null);
        for (CompletableFuture<String> poll : polls) {
            assertEquals("1", poll.getNow(null));
        }
        assertEquals(0, sessions.size());
        assertTrue(sessions.open().isEmpty());
    }
}
