package dev.sentinelrelay.ops;

import dev.sentinelrelay.destinations.PlaceTask;
import dev.sentinelrelay.resolve.Routing;
import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.resolve.MasterResolver;
import dev.sentinelrelay.sentinel.SentinelEvent;
import dev.sentinelrelay.resolve.Trigger;
import dev.sentinelrelay.resolve.Verdict;
import dev.sentinelrelay.resolve.VerificationPendingException;
import dev.sentinelrelay.resolve.Vote;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The route-facing calls reach the event log, the ledger, the sentinel directory and the metrics. */
class RelayStateTest {

    private static final HostPort S1 = new HostPort("127.0.0.1", 26379);
    private static final HostPort S2 = new HostPort("127.0.0.1", 26380);
    private static final HostPort OLD = new HostPort("10.0.0.1", 6379);
    private static final HostPort NEW = new HostPort("10.0.0.2", 6379);
    private static final String LABEL1 = "sentinel-1 (127.0.0.1:26379)";
    private static final String LABEL2 = "sentinel-2 (127.0.0.1:26380)";

    private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final RelayMetrics metrics = new RelayMetrics(meters, List.of("mymaster"), () -> 0, m -> 1.0);
    private final RelayState state = new RelayState(sentinels(), 4, metrics);

    private static Map<String, HostPort> sentinels() {
        Map<String, HostPort> s = new LinkedHashMap<>();
        s.put("sentinel-1", S1);
        s.put("sentinel-2", S2);
        return s;
    }

    private static SentinelEvent switchMaster(String label) {
        return new SentinelEvent("+switch-master", "mymaster", OLD, NEW, label);
    }

    @Test
    void theFirstSwitchMasterIsAppliedItsTwinsDeduplicated() {
        state.decided(Routing.route(Trigger.reconcile("mymaster"), OLD));
        SentinelEvent first = switchMaster(LABEL1);
        SentinelEvent second = switchMaster(LABEL2);
        state.received(first);
        state.awaiting(first);
        state.received(second);
        state.awaiting(second);
        assertEquals(EventLog.PENDING, state.log().events(1).get(0).decision());

        state.decided(Routing.route(Trigger.of(first), NEW));
        state.decided(Routing.route(Trigger.of(second), NEW));

        List<EventLog.Entry> events = state.log().events(10);
        assertEquals(3, events.size(), "the start-up reconcile that routed and two events");
        assertEquals(EventLog.DEDUPLICATED, events.get(0).decision());
        assertEquals(EventLog.APPLIED, events.get(1).decision());
        assertEquals("reconcile", events.get(2).toMap().get("type"));
        assertEquals(NEW, state.ledger().current("mymaster").master());
        assertEquals("10.0.0.1:6379", state.ledger().lastChange("mymaster").from());
        assertEquals("10.0.0.2:6379", state.ledger().lastChange("mymaster").to());
        assertTrue(meters.scrape().contains("relay_failovers_applied_total{master=\"mymaster\"} 1.0"), meters.scrape());
        assertTrue(meters.scrape().contains(
                "relay_events_received_total{sentinel=\"sentinel-2\",type=\"+switch-master\"} 1.0"), meters.scrape());
    }

    @Test
    void refusalsFencesAndWatchesAreRecordedWithTheirReason() {
        SentinelEvent odown = new SentinelEvent("+odown", "mymaster", OLD, null, LABEL1);
        state.received(odown);
        state.awaiting(odown);
        state.decided(Routing.none(Trigger.of(odown), "no majority of 3 sentinels agrees"));
        assertEquals(EventLog.REFUSED, state.log().events(1).get(0).decision());
        assertEquals("no majority of 3 sentinels agrees", state.log().events(1).get(0).reason());

        SentinelEvent selected = new SentinelEvent("+selected-slave", "mymaster", NEW, null, LABEL1);
        state.received(selected);
        state.watching(selected);
        assertEquals(EventLog.WATCHING, state.log().events(1).get(0).decision());

        state.decided(Routing.route(Trigger.reconcile("mymaster"), OLD));
        state.decided(Routing.fence(Trigger.promotion("mymaster", NEW), OLD, "replica answers ROLE master"));
        EventLog.Entry fenced = state.log().events(1).get(0);
        assertEquals(EventLog.FENCED, fenced.decision());
        assertEquals("promotion seen", fenced.toMap().get("type"));
        assertEquals("fenced 10.0.0.1:6379", state.ledger().lastChange("mymaster").to());

        SentinelEvent sdown = new SentinelEvent("+sdown", "mymaster", OLD, null, LABEL2);
        state.received(sdown);
        assertEquals(EventLog.LOGGED, state.log().events(1).get(0).decision());
    }

    @Test
    void anUnconfirmedSwitchMasterIsRefusedAfterItsRetries() {
        SentinelEvent fake = switchMaster(LABEL1);
        state.received(fake);
        state.awaiting(fake);
        Verdict verdict = new Verdict(Trigger.of(fake), OLD, List.of(Vote.of(S1.toString(), OLD)), null);
        state.refused(new VerificationPendingException(fake, verdict));
        assertEquals(EventLog.REFUSED, state.log().events(1).get(0).decision());
        assertTrue(state.log().events(1).get(0).reason().startsWith("not confirmed: mymaster verified at 10.0.0.1:6379"));
    }

    @Test
    void reconcilesThatChangeNothingAreNotRecorded() {
        state.decided(Routing.route(Trigger.reconcile("mymaster"), OLD));
        state.decided(Routing.route(Trigger.reconcile("mymaster"), OLD));
        state.decided(Routing.none(Trigger.reconcile("mymaster"), "no majority"));
        assertEquals(1, state.log().events(10).size());
    }

    @Test
    void theRingBufferKeepsTheNewestEvents() {
        for (int i = 0; i < 6; i++) {
            state.rejected(LABEL1, "malformed", "event " + i);
        }
        List<EventLog.Entry> events = state.log().events(10);
        assertEquals(4, events.size());
        assertEquals("event 5", events.get(0).reason());
        assertEquals("event 2", events.get(3).reason());
        assertEquals(2, state.log().events(2).size());
        assertEquals(6L, state.directory().sentinels().get(0).toMap().get("eventsRejected"));
        assertTrue(meters.scrape().contains("relay_events_rejected_total{reason=\"malformed\"} 6.0"));
    }

    @Test
    void destinationsTimingsAndPropagationLatencyFromTheFirstSwitchMaster() {
        state.decided(Routing.route(Trigger.reconcile("mymaster"), OLD));
        SentinelEvent first = switchMaster(LABEL1);
        state.received(first);
        state.received(switchMaster(LABEL2));
        Routing routed = Routing.route(Trigger.of(first), NEW);
        state.decided(routed);

        state.reportFailed(new PlaceTask("haproxy-2", routed), "Cannot connect to 127.0.0.1:9999");
        assertEquals("Cannot connect to 127.0.0.1:9999", state.ledger().problem("haproxy-2", "mymaster"));
        state.reportApplied(new PlaceTask("haproxy-1", routed));
        state.reportApplied(new PlaceTask("haproxy-1", routed));
        state.reportApplied(new PlaceTask("haproxy-2", routed));

        assertNull(state.ledger().problem("haproxy-2", "mymaster"), "in step again");
        assertEquals(List.of("haproxy-1", "haproxy-2"),
                List.copyOf(state.ledger().lastChange("mymaster").millisByDestination().keySet()));
        String scrape = meters.scrape();
        assertTrue(scrape.contains("relay_propagation_seconds_count{destination=\"haproxy-1\",master=\"mymaster\"} 1"), scrape);
        assertTrue(scrape.contains("relay_propagation_seconds_bucket{destination=\"haproxy-1\",master=\"mymaster\",le=\"0.001\"}"), scrape);
        assertTrue(scrape.contains("relay_destination_failures_total{destination=\"haproxy-2\"} 1.0"), scrape);
    }

    @Test
    void sentinelsReachabilityVotesSubscriptionsAndErrors() {
        state.subscribed("sentinel-1", false);
        state.subscribed("sentinel-2", false);
        state.subscribed("sentinel-2", true);
        state.received(switchMaster(LABEL1));
        state.verdict(new Verdict(Trigger.reconcile("mymaster"), null,
                List.of(Vote.of(S1.toString(), OLD), Vote.failed(S2.toString(), "unreachable: connection refused")),
                "no majority of 2 sentinels agrees"));

        Map<String, Object> one = state.directory().sentinels().get(0).toMap();
        Map<String, Object> two = state.directory().sentinels().get(1).toMap();
        assertEquals(true, one.get("reachable"));
        assertEquals("10.0.0.1:6379", one.get("lastVote"));
        assertEquals("+switch-master mymaster", one.get("lastEvent"));
        assertNotNull(one.get("subscribedSince"));
        assertEquals(0, one.get("resubscriptions"));
        assertEquals(false, two.get("reachable"));
        assertEquals(1, two.get("resubscriptions"));
        assertEquals(1L, two.get("errors"));
        assertEquals("unreachable: connection refused", two.get("lastError"));
        assertNotNull(state.ledger().lastVerdict("mymaster"));
        assertTrue(meters.scrape().contains("relay_verifications_refused_total{master=\"mymaster\"} 1.0"));
        assertTrue(meters.scrape().contains("relay_sentinels_reachable 1.0"));

        state.verdict(new Verdict(Trigger.reconcile("mymaster"), OLD, List.of(Vote.of(S2.toString(), OLD),
                Vote.failed(S1.toString(), MasterResolver.NOT_AWAITED)), null));
        assertEquals(true, state.directory().sentinels().get(0).toMap().get("reachable"), "not awaited: last known state stands");
        assertTrue(meters.scrape().contains("relay_sentinels_reachable 2.0"));
        assertFalse(meters.scrape().contains("relay_failovers_applied_total"));
    }
}
