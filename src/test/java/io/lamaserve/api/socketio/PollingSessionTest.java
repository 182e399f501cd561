package io.lamaserve.api.socketio;

import io.lamaserve.api.BadRequestException;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PollingSessionTest {

    private static final long INTERVAL = TimeUnit.SECONDS.toNanos(25);
    private static final long TIMEOUT = TimeUnit.SECONDS.toNanos(20);

    @Test
    void connectingToTheMainNamespaceIsAnsweredWithItsSid() {
        PollingSession session = new PollingSession("engine-sid", "namespace-sid", 0);
        session.receive("40");
        assertEquals("40{\"sid\":\"namespace-sid\"}", session.poll().getNow(null));
    }

    @Test
    void aConnectCarryingAuthDataIsAcceptedToo() {
        PollingSession session = new PollingSession("engine-sid", "namespace-sid", 0);
        session.receive("40{\"token\":\"abc\"}");
        assertEquals("40{\"sid\":\"namespace-sid\"}", session.poll().getNow(null));
    }

    @Test
    void otherNamespacesAreRefusedWithAConnectError() {
        PollingSession session = new PollingSession("engine-sid", "namespace-sid", 0);
        session.receive("40/admin,{\"token\":\"abc\"}");
        assertEquals("44/admin,{\"message\":\"Invalid namespace\"}", session.poll().getNow(null));
    }

    @Test
    void aPollWithNothingToSendIsHeldUntilThereIs() {
        PollingSession session = new PollingSession("engine-sid", "namespace-sid", 0);
        CompletableFuture<String> poll = session.poll();
        assertFalse(poll.isDone());
        session.receive("40");
        assertEquals("40{\"sid\":\"namespace-sid\"}", poll.getNow(null));
    }

    @Test
    void packetsWaitingTogetherGoInOnePayload() {
        PollingSession session = new PollingSession("engine-sid", "namespace-sid", 0);
        session.receive("40\u001e40/x,");
        assertEquals("40{\"sid\":\"namespace-sid\"}\u001e44/x,{\"message\":\"Invalid namespace\"}", session.poll().getNow(null));
    }

    @Test
    void aSecondPollWhileOneIsHeldBreaksTheProtocol() {
        PollingSession session = new PollingSession("engine-sid", "namespace-sid", 0);
        session.poll();
        assertThrows(BadRequestException.class, session::poll);
    }

    @Test
    void unknownOrEmptyPacketsBreakTheProtocol() {
        PollingSession session = new PollingSession("engine-sid", "namespace-sid", 0);
        assertThrows(BadRequestException.class, () -> session.receive(""));
        assertThrows(BadRequestException.class, () -> session.receive("9"));
        assertThrows(BadRequestException.class, () -> session.receive("4"));
    }

    @Test
    void eventsAndDisconnectsNeedNoAnswer() {
        PollingSession session = new PollingSession("engine-sid", "namespace-sid", 0);
        session.receive("42[\"hello\",1]\u001e41");
        assertFalse(session.poll().isDone());
    }

    @Test
    void pingsAtTheIntervalAndDropsAClientThatDoesNotAnswer() {
        PollingSession session = new PollingSession("engine-sid", "namespace-sid", 0);
        CompletableFuture<String> poll = session.poll();
        assertFalse(session.heartbeat(INTERVAL - 1, INTERVAL, TIMEOUT));
        assertFalse(poll.isDone(), "no ping before the interval");
        assertFalse(session.heartbeat(INTERVAL, INTERVAL, TIMEOUT));
        assertEquals("2", poll.getNow(null));
        assertFalse(session.heartbeat(INTERVAL + TIMEOUT, INTERVAL, TIMEOUT), "still within the timeout");
        assertTrue(session.heartbeat(INTERVAL + TIMEOUT + 1, INTERVAL, TIMEOUT), "unanswered past the timeout");
    }

    @Test
    void aPongKeepsTheSessionAndTheNextPingComesAnIntervalLater() {
        PollingSession session = new PollingSession("engine-sid", "namespace-sid", 0);
        session.heartbeat(INTERVAL, INTERVAL, TIMEOUT);
        assertEquals("2", session.poll().getNow(null));
        session.receive("3");
        assertFalse(session.heartbeat(INTERVAL + TIMEOUT + 1, INTERVAL, TIMEOUT));
        CompletableFuture<String> poll = session.poll();
        assertFalse(poll.isDone(), "the next ping is due at twice the interval");
        session.heartbeat(2 * INTERVAL, INTERVAL, TIMEOUT);
        assertEquals("2", poll.getNow(null));
    }

    @Test
    void closingReleasesAHeldPollWithAClosePacket() {
        PollingSession session = new PollingSession("engine-sid", "namespace-sid", 0);
        CompletableFuture<String> poll = session.poll();
        session.close();
        assertEquals("1", poll.getNow(null));
        assertTrue(session.closed());
        assertEquals("1", session.poll().getNow(null));
    }

    @Test
    void theClientsClosePacketEndsTheSession() {
        PollingSession session = new PollingSession("engine-sid", "namespace-sid", 0);
        CompletableFuture<String> poll = session.poll();
        session.receive("1");
        assertTrue(session.closed());
        assertEquals("1", poll.getNow(null));
    }
}
