package dev.sentinelrelay.alerts;

import dev.sentinelrelay.cluster.ClusterChange;
import dev.sentinelrelay.deadletter.DeadLetter;
import dev.sentinelrelay.resolve.Decision;
import dev.sentinelrelay.resolve.Routing;
import dev.sentinelrelay.resolve.VerificationPendingException;
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
    /** Three sentinels followed, two make a majority. */
    private final Alerts alerts = new Alerts(() -> 3, () -> 2);

    private static SentinelEvent event(String type, HostPort instance, HostPort promoted) {
        return new SentinelEvent(type, "mymaster", instance, promoted, "sentinel-1 (127.0.0.1:26379)");
    }

    /** What a route step queues on seda:alerts. */
    private void raise(List<Alert> alerts) {
        raised.addAll(alerts);
    }

    /** A decision that changes nothing, resting on {@code verdict}; {@code current} is the master verified before. */
    private void refused(Verdict verdict, HostPort current) {
        raise(alerts.decided(new Decision(Routing.none(verdict.trigger(), verdict.refusal()), verdict, current)));
    }

    /** A reconcile's verification that {@code answering} of the three sentinels answered. */
    private void answered(int answering) {
        List<Vote> votes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            votes.add(i < answering ? Vote.of("127.0.0.1:2637" + i, OLD) : Vote.failed("127.0.0.1:2637" + i, "Connection refused"));
        }
        Verdict verdict = new Verdict(Trigger.reconcile("mymaster"), answering >= 2 ? OLD : null, votes,
                answering >= 2 ? null : "no majority");
        raise(alerts.decided(new Decision(answering >= 2 ? Routing.route(verdict.trigger(), OLD)
                : Routing.none(verdict.trigger(), "no majority"), verdict, OLD)));
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
        raise(alerts.sentinelEvent(event("+odown", OLD, null)));
        raise(alerts.sentinelEvent(event("-odown", OLD, null)));
        raise(alerts.sentinelEvent(event("+sdown", OLD, null)));
        assertEquals(2, raised.size(), raised.toString());
        assertEquals(AlertKind.MASTER_DOWN, raised.get(0).kind());
        assertEquals("10.0.0.1:6379", raised.get(0).details().get("address"));
        assertEquals(raised.get(0).key(), raised.get(1).closes());
    }

    @Test
    void aRefusalIsAlertedOnlyWhenItRefusesAChange() {
        // the current master does not answer: the master-down alert's business
        refused(new Verdict(Trigger.reconcile("mymaster"), null, votes(OLD, OLD, OLD), "candidate did not answer"), OLD);
        assertTrue(raised.isEmpty());
        // a majority names another server that is not a master
        refused(new Verdict(Trigger.reconcile("mymaster"), null, votes(NEW, NEW, OLD), "candidate answers ROLE slave"), OLD);
        assertEquals(1, raised.size());
        assertEquals(AlertKind.CHANGE_REFUSED, raised.get(0).kind());
        assertTrue(raised.get(0).summary().contains("not routing to 10.0.0.2:6379"), raised.get(0).summary());
        // a +switch-master that was not confirmed
        refused(new Verdict(Trigger.of(event("+switch-master", OLD, NEW)), null, votes(OLD, null, null), "no majority"), OLD);
        assertEquals(List.of(AlertKind.CHANGE_REFUSED, AlertKind.MAJORITY_LOST, AlertKind.CHANGE_REFUSED),
                raised.stream().map(Alert::kind).toList(), "one sentinel answered: the majority is lost, too");
    }

    @Test
    void majorityLostAndRegainedOnTransitionsOnly() {
        answered(3);
        answered(1);
        answered(0);
        answered(2);
        assertEquals(List.of(AlertKind.MAJORITY_LOST, AlertKind.MAJORITY_REGAINED), raised.stream().map(Alert::kind).toList());
        assertEquals(raised.get(0).key(), raised.get(1).closes());
        assertTrue(raised.get(0).summary().contains("1 of 3 sentinels answer (majority 2)"), raised.get(0).summary());
    }

    @Test
    void aVerificationRetriedShortlyAlsoCountsTheSentinelsThatAnswered() {
        answered(3);
        Verdict unheard = new Verdict(Trigger.of(event("+switch-master", OLD, NEW)), null,
                List.of(Vote.of("127.0.0.1:26370", NEW), Vote.failed("127.0.0.1:26371", "timeout"),
                        Vote.failed("127.0.0.1:26372", "timeout")), "no majority");
        raise(alerts.pending(new VerificationPendingException(unheard.trigger().event(), unheard)));
        assertEquals(List.of(AlertKind.MAJORITY_LOST), raised.stream().map(Alert::kind).toList());
    }

    @Test
    void deadLettersAreAlertedButAFailedAlertAboutAlertChannelsIsNot() {
        raise(alerts.deadLettered(new DeadLetter("haproxy-1 (unix:/run/haproxy.sock)",
                Map.of("master", "mymaster", "reason", "Connection refused"))));
        raise(alerts.deadLettered(new DeadLetter("alert:ops", Map.of("reason", "HTTP 500", AlertOutbox.ABOUT_ALERTS, "false"))));
        raise(alerts.deadLettered(new DeadLetter("alert:ops", Map.of("reason", "HTTP 500", AlertOutbox.ABOUT_ALERTS, "true"))));
        assertEquals(2, raised.size(), raised.toString());
        assertEquals(AlertKind.DELIVERY_FAILED, raised.get(0).kind());
        assertEquals("mymaster", raised.get(0).master());
        assertEquals("ops", raised.get(1).details().get(AlertOutbox.CHANNEL), "the failing channel does not get it");
    }

    @Test
    void everyRelayComputesTheSameIdForTheSameEvent() {
        Alerts otherRelay = new Alerts(() -> 3, () -> 2);
        raise(alerts.sentinelEvent(event("+odown", OLD, null)));
        List<Alert> other = otherRelay.sentinelEvent(new SentinelEvent("+odown", "mymaster", OLD, null, "sentinel-3 (127.0.0.1:26381)"));
        assertEquals(raised.get(0).id(), other.get(0).id(), "another sentinel, another moment: the same occurrence");
        assertTrue(raised.get(0).id().matches("master-down-[0-9a-f]{16}"), raised.get(0).id());

        raise(alerts.sentinelEvent(event("+odown", NEW, null)));
        assertNotEquals(raised.get(0).id(), raised.get(1).id(), "another address: another alert");
        assertNotEquals(Alert.id(AlertKind.MASTER_DOWN, "mymaster", "k"), Alert.id(AlertKind.MASTER_RECOVERED, "mymaster", "k"));
        assertNotEquals(Alert.id(AlertKind.MASTER_DOWN, "mymaster", "k"), Alert.id(AlertKind.MASTER_DOWN, "other", "k"));
    }

    @Test
    void theNewLeaderNamesTheOldAndTheNewLeader() {
        assertEquals(List.of(), alerts.cluster(new ClusterChange(ClusterChange.Kind.LEADER_CHANGED, "relay-a", null)),
                "the first leader known takes over from nobody");
        raise(alerts.cluster(new ClusterChange(ClusterChange.Kind.LEADER_CHANGED, "relay-b", "relay-a")));
        Alert changed = raised.get(0);
        assertEquals(AlertKind.LEADER_CHANGED, changed.kind());
        assertEquals("relay-a", changed.details().get("previous leader"));
        assertEquals("relay-b", changed.details().get("leader"));
        assertFalse(changed.kind().deliveredByRaiser(), "sent by the leader, like every alert but coordination's");
    }

    @Test
    void coordinationLostIsCriticalAndSentByItsRaiserAndRestoredResolvesIt() {
        raise(alerts.cluster(new ClusterChange(ClusterChange.Kind.COORDINATION_LOST, "relay-a", "2026-12-01T03:00:00Z")));
        raise(alerts.cluster(new ClusterChange(ClusterChange.Kind.COORDINATION_RESTORED, "relay-a", null)));
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
        raise(alerts.sentinelChanged(new SentinelChange(true, fourth, "listed by 3 of the 3 followed sentinels (majority 2)", "sentinel-4")));
        raise(alerts.sentinelChanged(new SentinelChange(false, fourth, "not listed by 3 of the 4", "sentinel-4")));
        raise(alerts.sentinelChanged(new SentinelChange(true, fourth, "listed by 2 of the 3", "sentinel-5")));
        assertEquals(List.of(AlertKind.SENTINEL_FOLLOWED, AlertKind.SENTINEL_FORGOTTEN, AlertKind.SENTINEL_FOLLOWED),
                raised.stream().map(Alert::kind).toList());
        assertTrue(raised.stream().allMatch(a -> a.kind().severity == Severity.INFO));
        assertEquals(3, raised.stream().map(Alert::key).distinct().count(), "the same address followed again is a new alert");
        assertTrue(raised.get(0).summary().startsWith("following discovered sentinel sentinel-4 (127.0.0.1:26382): listed by 3"),
                raised.get(0).summary());
    }
}
