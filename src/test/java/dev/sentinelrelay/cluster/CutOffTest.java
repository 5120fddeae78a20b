package dev.sentinelrelay.cluster;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CutOffTest {

    private static final long S = 1_000_000_000L;
    /** session timeout 2 s, a pause is a gap of more than 3 s between ticks */
    private final CutOff cutOff = new CutOff(2 * S, 3 * S, 0);

    /** Ticks every second from {@code from} to {@code to} (inclusive); true when a report was due at one of them. */
    private boolean runs(long from, long to) {
        boolean reported = false;
        for (long t = from; t <= to; t += S) {
            cutOff.tick(t);
            reported |= cutOff.report(t);
        }
        return reported;
    }

    @Test
    void startedUnconnectedAndNeverConnectedItIsReportedOnceAfterTheThreshold() {
        assertFalse(runs(0, S));
        assertTrue(runs(2 * S, 2 * S));
        assertFalse(runs(3 * S, 10 * S), "reported once per disconnection");
    }

    @Test
    void connectedInTimeNothingIsReportedAndNoResolveIsDue() {
        cutOff.tick(0);
        assertFalse(cutOff.report(S));
        assertFalse(cutOff.connected(), "nothing was reported, so nothing is resolved");
        assertFalse(cutOff.isDisconnected());
        assertFalse(runs(S, 20 * S));
    }

    @Test
    void aDisconnectionThatLastsIsReportedAndItsEndIsResolved() {
        cutOff.connected();
        assertFalse(runs(0, 4 * S));
        cutOff.disconnected(5 * S);
        assertTrue(cutOff.isDisconnected());
        assertFalse(runs(5 * S, 6 * S));
        assertTrue(runs(7 * S, 7 * S));
        assertTrue(cutOff.connected(), "a resolve is due");
        cutOff.disconnected(9 * S);
        assertTrue(runs(8 * S, 11 * S), "a second disconnection is reported again");
    }

    @Test
    void aRelayFrozenWhileDisconnectedCountsItsDisconnectionFromWhenItRunsAgain() {
        cutOff.connected();
        assertFalse(runs(0, 3 * S));
        cutOff.disconnected(3 * S + S / 2);
        // frozen for 26 s: the next tick comes late, long after the threshold on the clock
        cutOff.tick(30 * S);
        assertFalse(cutOff.report(30 * S), "a pause is not time spent trying to reconnect");
        assertFalse(cutOff.report(31 * S));
        assertFalse(cutOff.connected(), "reconnected at once when it resumed: nothing to resolve");
    }

    @Test
    void aRelayFrozenThatStaysDisconnectedIsReportedAThresholdAfterItResumed() {
        cutOff.connected();
        cutOff.tick(0);
        cutOff.disconnected(S);
        assertFalse(runs(30 * S, 31 * S));
        assertTrue(runs(32 * S, 32 * S));
    }
}
