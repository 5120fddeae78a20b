package dev.sentinelrelay.ops;

import dev.sentinelrelay.resolve.Routing;
import dev.sentinelrelay.destinations.DestinationLedger;
import dev.sentinelrelay.destinations.DestinationTask;
import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.sentinel.SentinelEvent;
import dev.sentinelrelay.resolve.Verdict;
import dev.sentinelrelay.resolve.VerificationPendingException;

import java.util.Map;

/**
 * The routes' one observer bean ({@code relayState}): each call is what a route step saw, handed to the
 * {@link EventLog}, the {@link MasterLedger} and the {@link SentinelDirectory} it concerns. For the API, the status
 * page and the metrics; never consulted for a routing decision.
 */
public final class RelayState implements DestinationLedger {

    private final RelayMetrics metrics;
    private final EventLog log;
    private final MasterLedger ledger;
    private final SentinelDirectory directory;

    /**
     * @param sentinels id -> address of every configured sentinel, in order
     * @param capacity  how many events the ring buffer keeps
     */
    public RelayState(Map<String, HostPort> sentinels, int capacity, RelayMetrics metrics) {
        this.metrics = metrics;
        this.log = new EventLog(capacity);
        this.ledger = new MasterLedger(metrics);
        this.directory = new SentinelDirectory(sentinels);
        metrics.sentinelsReachable(directory::reachable);
    }

    public EventLog log() {
        return log;
    }

    public MasterLedger ledger() {
        return ledger;
    }

    public SentinelDirectory directory() {
        return directory;
    }

    /** A valid event arrived: recorded and counted; until a route says more, it is only logged. */
    public void received(SentinelEvent event) {
        String sentinel = directory.received(event);
        metrics.eventReceived(sentinel, event.type());
        ledger.received(event);
        log.received(sentinel, event);
    }

    /** An event failed validation at the edge. */
    public void rejected(String sentinelLabel, String reason, String detail) {
        String sentinel = directory.rejected(sentinelLabel);
        metrics.eventRejected(reason);
        log.rejected(sentinel, detail);
    }

    public void watching(SentinelEvent event) {
        log.watching(event);
    }

    public void awaiting(SentinelEvent event) {
        log.awaiting(event);
    }

    public void verdict(Verdict verdict) {
        ledger.verdict(verdict);
        directory.verdict(verdict);
    }

    public void subscribed(String sentinelId, boolean again) {
        directory.subscribed(sentinelId, again);
    }

    public void decided(Routing routing) {
        log.decided(routing, ledger.decided(routing));
    }

    public void refused(VerificationPendingException pending) {
        log.refused(pending);
    }

    @Override
    public void reportApplied(DestinationTask task) {
        ledger.destinationApplied(task.destination(), task.routing());
    }

    /** Not written: this relay does not write now (a standby, or observing); counted per master. */
    @Override
    public void reportWouldChange(DestinationTask task) {
        ledger.wouldChange(task.destination(), task.routing());
    }

    /** Read back in step: nothing it would write there (any earlier "would write" is void). */
    @Override
    public void reportInStep(DestinationTask task) {
        ledger.inStep(task.destination(), task.routing().name());
    }

    @Override
    public void reportFailed(DestinationTask task, String reason) {
        ledger.destinationFailed(task.destination(), task.routing(), reason);
    }
}
