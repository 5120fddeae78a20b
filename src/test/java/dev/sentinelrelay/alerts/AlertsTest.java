package dev.sentinelrelay.alerts;

import dev.sentinelrelay.resolve.Routing;
import dev.sentinelrelay.configuration.AlertsConfig.Severity;
import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.sentinel.SentinelChange;
import dev.sentinelrelay.sentinel.SentinelEvent;
import dev.sentinelrelay.resolve.Trigger;
import dev.sentinelrelay.resolve.Verdict;
import dev.sentinelrelay.resolve.Vote;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AlertsTest {

    private static final HostPort OLD = new HostPort("10.0.0.1", 6379);
    private static final HostPort NEW = new HostPort("10.0.0.2", 6379);
    private final List<Alert> raised = new ArrayList<>();
    private final Alerts alerts = new Alerts(List.of("haproxy-1", "haproxy-2"), () -> 3, raised::add, Alerts.FAILOVER_REPORT_DEADLINE);

    private static SentinelEvent event(String type, HostPort instance, HostPort promoted) {
        return new SentinelEvent(type, "mymaster", instance, promoted, "sentinel-1 (127.0.0.1:26379)");
    }

    private static List<Vote> votes(HostPort... masters) {
        List<Vote> votes = new ArrayList<>();
        for (int i = 0; i < masters.length; i++) {
            votes.add(Vote.of("127.0.0.1:2637" + i, masters[i]));
        }
        return votes;
    }

    @Test
    void odownAndItsRecoveryShareTheKeyTheResolveCloses() {
        alerts.sentinelEvent(event("+odown", OLD, null));
        alerts.sentinelEvent(event("-odown", OLD, null));
        alerts.sentinelEvent(event("+sdown", OLD, null));
        assertEquals(2, raised.size(), raised.toString());
        assertEquals(AlertKind.MASTER_DOWN, raised.get(0).kind());
        assertEquals("10.0.0.1:6379", raised.get(0).details().get("address"));
        assertEquals(raised.get(0).key(), raised.get(1).closes());
    }

    @Test
    void aFailoverIsReportedOnceEveryDestinationSettledWithOldNewAndTimings() {
        Verdict verdict = new Verdict(Trigger.of(event("+switch-master", OLD, NEW)), NEW, votes(NEW, NEW, OLD), null);
        alerts.verified(verdict, OLD);
        Routing routing = Routing.route(verdict.trigger(), NEW);
        alerts.destinationSettled("haproxy-1", routing, null);
        assertTrue(raised.isEmpty(), "waits for haproxy-2");
        alerts.destinationSettled("haproxy-2", routing, "Connection refused");
        assertEquals(1, raised.size());
        Alert failover = raised.get(0);
        assertEquals(AlertKind.FAILOVER, failover.kind());
        Map<String, String> d = failover.details();
        assertEquals("10.0.0.1:6379", d.get("old master"));
        assertEquals("10.0.0.2:6379", d.get("new master"));
        assertEquals("127.0.0.1:26370, 127.0.0.1:26371", d.get("verified by sentinels"));
        assertTrue(d.get("haproxy-1").matches("updated [0-9.]+ ms after \\+switch-master"), d.toString());
        assertEquals("FAILED: Connection refused", d.get("haproxy-2"));
        assertTrue(failover.summary().contains("1 of 2 destinations updated"), failover.summary());
        assertEquals("down/mymaster/10.0.0.1:6379", failover.closes());
    }

    @Test
    void aFailoverNotEveryDestinationSettledIsReportedOnceWhenOverdue() {
        Alerts quick = new Alerts(List.of("haproxy-1", "haproxy-2"), () -> 3, raised::add, Duration.ZERO);
        Alerts patient = new Alerts(List.of("haproxy-1", "haproxy-2"), () -> 3, raised::add, Alerts.FAILOVER_REPORT_DEADLINE);
        Verdict verdict = new Verdict(Trigger.of(event("+switch-master", OLD, NEW)), NEW, votes(NEW, NEW, OLD), null);
        quick.verified(verdict, OLD);
        patient.verified(verdict, OLD);
        quick.destinationSettled("haproxy-1", Routing.route(verdict.trigger(), NEW), null);

        assertEquals(List.of(), patient.overdue(), "within its deadline");
        List<Alert> overdue = quick.overdue();
        assertEquals(1, overdue.size());
        assertTrue(overdue.get(0).details().get("haproxy-1").startsWith("updated"), overdue.toString());
        assertEquals("not confirmed within 0 s", overdue.get(0).details().get("haproxy-2"));
        assertEquals(List.of(), quick.overdue(), "reported once");
        assertTrue(raised.isEmpty(), "handed to the route, not to the sink");
    }

    @Test
    void theSameMasterVerifiedAgainIsNoFailover() {
        alerts.verified(new Verdict(Trigger.reconcile("mymaster"), OLD, votes(OLD, OLD, OLD), null), OLD);
        alerts.verified(new Verdict(Trigger.reconcile("mymaster"), OLD, votes(OLD, OLD, OLD), null), null);
        assertTrue(raised.isEmpty());
    }

    @Test
    void aRefusalIsAlertedOnlyWhenItRefusesAChange() {
        // the current master does not answer: the master-down alert's business
        alerts.refused(new Verdict(Trigger.reconcile("mymaster"), null, votes(OLD, OLD, OLD), "candidate did not answer"), OLD);
        assertTrue(raised.isEmpty());
        // a majority names another server that is not a master
        alerts.refused(new Verdict(Trigger.reconcile("mymaster"), null, votes(NEW, NEW, OLD), "candidate answers ROLE slave"), OLD);
        assertEquals(1, raised.size());
        assertEquals(AlertKind.CHANGE_REFUSED, raised.get(0).kind());
        assertTrue(raised.get(0).summary().contains("not routing to 10.0.0.2:6379"), raised.get(0).summary());
        // a +switch-master that was not confirmed
        alerts.refused(new Verdict(Trigger.of(event("+switch-master", OLD, NEW)), null, votes(OLD, null, null), "no majority"), OLD);
        assertEquals(2, raised.size());
    }

    @Test
    void majorityLostAndRegainedOnTransitionsOnly() {
        alerts.sentinelsAnswered(3, 2);
        alerts.sentinelsAnswered(1, 2);
        alerts.sentinelsAnswered(0, 2);
        alerts.sentinelsAnswered(2, 2);
        assertEquals(List.of(AlertKind.MAJORITY_LOST, AlertKind.MAJORITY_REGAINED), raised.stream().map(Alert::kind).toList());
        assertEquals(raised.get(0).key(), raised.get(1).closes());
    }

    @Test
    void deadLettersAreAlertedButAFailedAlertAboutAlertChannelsIsNot() {
        alerts.deadLettered("haproxy-1 (unix:/run/haproxy.sock)", Map.of("master", "mymaster", "reason", "Connection refused"));
        alerts.deadLettered("alert:ops", Map.of("reason", "HTTP 500", AlertOutbox.ABOUT_ALERTS, "false"));
        alerts.deadLettered("alert:ops", Map.of("reason", "HTTP 500", AlertOutbox.ABOUT_ALERTS, "true"));
        assertEquals(2, raised.size(), raised.toString());
        assertEquals(AlertKind.DELIVERY_FAILED, raised.get(0).kind());
        assertEquals("mymaster", raised.get(0).master());
        assertEquals("ops", raised.get(1).details().get(AlertOutbox.CHANNEL), "the failing channel does not get it");
    }

    @Test
    void everyRelayComputesTheSameIdForTheSameEvent() {
        List<Alert> other = new ArrayList<>();
        Alerts otherRelay = new Alerts(List.of("haproxy-1", "haproxy-2"), () -> 3, other::add, Alerts.FAILOVER_REPORT_DEADLINE);
        alerts.sentinelEvent(event("+odown", OLD, null));
        otherRelay.sentinelEvent(new SentinelEvent("+odown", "mymaster", OLD, null, "sentinel-3 (127.0.0.1:26381)"));
        assertEquals(raised.get(0).id(), other.get(0).id(), "another sentinel, another moment: the same occurrence");
        assertTrue(raised.get(0).id().matches("master-down-[0-9a-f]{16}"), raised.get(0).id());

        alerts.sentinelEvent(event("+odown", NEW, null));
        assertNotEquals(raised.get(0).id(), raised.get(1).id(), "another address: another alert");
        assertNotEquals(Alert.id(AlertKind.MASTER_DOWN, "mymaster", "k"), Alert.id(AlertKind.MASTER_RECOVERED, "mymaster", "k"));
        assertNotEquals(Alert.id(AlertKind.MASTER_DOWN, "mymaster", "k"), Alert.id(AlertKind.MASTER_DOWN, "other", "k"));
    }

    @Test
    void theNewLeaderNamesTheOldAndTheNewLeader() {
        alerts.leaderChanged("relay-a", "relay-b");
        Alert changed = raised.get(0);
        assertEquals(AlertKind.LEADER_CHANGED, changed.kind());
        assertEquals("relay-a", changed.details().get("previous leader"));
        assertEquals("relay-b", changed.details().get("leader"));
        assertFalse(changed.kind().deliveredByRaiser(), "sent by the leader, like every alert but coordination's");
    }

    @Test
    void coordinationLostIsCriticalAndSentByItsRaiserAndRestoredResolvesIt() {
        alerts.coordinationLost("relay-a", "2026-12-01T03:00:00Z");
        alerts.coordinationRestored("relay-a");
        Alert lost = raised.get(0);
        Alert restored = raised.get(1);
        assertEquals(AlertKind.COORDINATION_LOST, lost.kind());
        assertEquals(Severity.CRITICAL, lost.kind().severity);
        assertEquals(AlertKind.COORDINATION_RESTORED, restored.kind());
        assertEquals(lost.key(), restored.closes());
        assertTrue(lost.kind().deliveredByRaiser() && restored.kind().deliveredByRaiser());

        AlertDedup dedup = new AlertDedup(Duration.ofMinutes(10));
        assertTrue(dedup.accept(lost));
        assertTrue(dedup.accept(restored), "resolves the open coordination-lost");
    }

    @Test
    void eachFollowedAndForgottenSentinelIsItsOwnInfoAlert() {
        HostPort fourth = new HostPort("127.0.0.1", 26382);
        alerts.sentinelChanged(new SentinelChange(true, fourth, "listed by 3 of the 3 followed sentinels (majority 2)", "sentinel-4"));
        alerts.sentinelChanged(new SentinelChange(false, fourth, "not listed by 3 of the 4", "sentinel-4"));
        alerts.sentinelChanged(new SentinelChange(true, fourth, "listed by 2 of the 3", "sentinel-5"));
        assertEquals(List.of(AlertKind.SENTINEL_FOLLOWED, AlertKind.SENTINEL_FORGOTTEN, AlertKind.SENTINEL_FOLLOWED),
                raised.stream().map(Alert::kind).toList());
        assertTrue(raised.stream().allMatch(a -> a.kind().severity == Severity.INFO));
        assertEquals(3, raised.stream().map(Alert::key).distinct().count(), "the same address followed again is a new alert");
        assertTrue(raised.get(0).summary().startsWith("following discovered sentinel sentinel-4 (127.0.0.1:26382): listed by 3"),
                raised.get(0).summary());
    }
}
