package dev.sentinelrelay.alerts;

import dev.sentinelrelay.configuration.AlertsConfig;
import dev.sentinelrelay.configuration.AlertsConfigTest;
import dev.sentinelrelay.configuration.RelayConfig;
import dev.sentinelrelay.deadletter.DeadLetters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Alerts across a cluster's relays without Camel or ZooKeeper: the leader records what it delivered, prunes the
 * registry after relay.alerts.repeat-after, and every relay drops from its outbox what the leader delivered.
 */
class AlertDeliveryTest {

    private static final Instant T0 = Instant.parse("2026-12-01T03:00:00Z");

    @TempDir
    Path data;

    private final AlertsConfig config = RelayConfig.from(AlertsConfigTest.withChannels()::get).alerts();
    private final InMemoryDeliveredAlerts registry = new InMemoryDeliveredAlerts();
    private final AtomicReference<Instant> now = new AtomicReference<>(T0);

    private static Alert alert(AlertKind kind, String key, Instant raised) {
        Alert a = Alert.of(kind, "mymaster", kind.title, Map.of(), key, null);
        return new Alert(a.id(), a.kind(), a.master(), raised.toString(), a.summary(), a.details(), a.key(), a.closes());
    }

    private AlertOutbox outbox() {
        return new AlertOutbox(config, data, new DeadLetters(data));
    }

    /** A failover alert a standby's channel route held (it goes to ops only: oncall takes critical alerts). */
    private static Alert heldFailover(AlertOutbox outbox) {
        Alert failover = alert(AlertKind.FAILOVER, "failover/mymaster/10.0.0.2:6379", T0);
        outbox.store(List.of(failover)).forEach(outbox::held);
        return failover;
    }

    private AlertDelivery delivery(AlertOutbox outbox) {
        return new AlertDelivery(config, registry, outbox, now::get);
    }

    @Test
    void theLeaderRecordsEveryAlertItDeliveredOnThatChannel() {
        Alert down = alert(AlertKind.MASTER_DOWN, "down/mymaster/10.0.0.1:6379", T0);
        Alert failover = alert(AlertKind.FAILOVER, "failover/mymaster/10.0.0.2:6379", T0);
        delivery(outbox()).recordDelivered(new OutboxEntry("g1", "ops", T0.toString(), List.of(down, failover)));
        assertEquals(Map.of(down.id(), T0, failover.id(), T0), registry.delivered("ops"));
        assertEquals(Map.of(), registry.delivered("oncall"), "per channel");
    }

    @Test
    void coordinationAlertsAreNeverRecorded() {
        Alert lost = alert(AlertKind.COORDINATION_LOST, "coordination-lost/relay-1", T0);
        registry.unreachable = true; // as it is when this alert goes out: recording is not even tried
        delivery(outbox()).recordDelivered(new OutboxEntry("g1", "ops", T0.toString(), List.of(lost)));
        registry.unreachable = false;
        assertEquals(Map.of(), registry.delivered("ops"));
    }

    @Test
    void aRegistryOutOfReachDoesNotFailADelivery() {
        registry.unreachable = true;
        delivery(outbox()).recordDelivered(new OutboxEntry("g1", "ops", T0.toString(),
                List.of(alert(AlertKind.FAILOVER, "failover/mymaster/10.0.0.2:6379", T0))));
    }

    @Test
    void theLeaderPrunesDeliveriesOlderThanRepeatAfter() {
        registry.record("ops", "old", T0);
        registry.record("ops", "recent", T0.plus(Duration.ofMinutes(5)));
        registry.record("oncall", "old-too", T0);
        now.set(T0.plus(config.repeatAfter()).plusSeconds(1));
        delivery(outbox()).pruneRegistry();
        assertEquals(Map.of("recent", T0.plus(Duration.ofMinutes(5))), registry.delivered("ops"));
        assertEquals(Map.of(), registry.delivered("oncall"));
    }

    @Test
    void expiredNamesExactlyTheEntriesOlderThanTheBound() {
        Map<String, Instant> delivered = Map.of("a", T0, "b", T0.plusSeconds(60), "c", T0.plusSeconds(61));
        assertEquals(List.of("a", "b"), AlertDelivery.expired(delivered, T0.plusSeconds(121), Duration.ofSeconds(60)));
    }

    @Test
    void aStandbyDropsFromItsOutboxWhatTheLeaderDeliveredOnThatChannel() {
        AlertOutbox outbox = outbox();
        Alert down = alert(AlertKind.MASTER_DOWN, "down/mymaster/10.0.0.1:6379", T0);
        Alert failover = alert(AlertKind.FAILOVER, "failover/mymaster/10.0.0.2:6379", T0);
        List<OutboxEntry> stored = outbox.store(List.of(down, failover)); // ops: both; oncall: down only
        stored.forEach(outbox::held); // a standby's channel routes hold them
        registry.record("ops", down.id(), T0.plusSeconds(2));

        delivery(outbox).dropDelivered(false);

        List<OutboxEntry> left = outbox.unsent(true);
        assertEquals(2, left.size(), left.toString());
        OutboxEntry ops = left.stream().filter(e -> e.channel().equals("ops")).findFirst().orElseThrow();
        assertEquals(List.of(failover), ops.alerts(), "delivered on ops: gone from ops");
        OutboxEntry oncall = left.stream().filter(e -> e.channel().equals("oncall")).findFirst().orElseThrow();
        assertEquals(List.of(down), oncall.alerts(), "not delivered on oncall: still held there");
    }

    @Test
    void anEntryWhoseAlertsWereAllDeliveredLeavesTheOutbox() {
        AlertOutbox outbox = outbox();
        Alert failover = heldFailover(outbox);
        registry.record("ops", failover.id(), T0.plusSeconds(2));
        delivery(outbox).dropDelivered(true); // a new leader does the same before sending what is left
        assertTrue(outbox.unsent(true).isEmpty());
    }

    @Test
    void aRelayThatDoesNotWriteDropsWhatNobodySentWithinRepeatAfterAndTheLeaderSendsIt() {
        AlertOutbox outbox = outbox();
        heldFailover(outbox);
        now.set(T0.plus(config.repeatAfter()).plusSeconds(1));

        delivery(outbox).dropDelivered(true);
        assertEquals(1, outbox.unsent(true).size(), "the leader sends it");

        AlertOutbox standby = outbox();
        delivery(standby).dropDelivered(false);
        assertTrue(standby.unsent(true).isEmpty(), "a standby lets it go");
    }

    @Test
    void nothingIsDroppedWhileTheRegistryCannotBeRead() {
        AlertOutbox outbox = outbox();
        Alert failover = heldFailover(outbox);
        registry.record("ops", failover.id(), T0.plusSeconds(2));
        registry.unreachable = true;
        delivery(outbox).dropDelivered(false);
        assertEquals(1, outbox.unsent(true).size());
    }

    @Test
    void coordinationAlertsAreNeverDroppedTheirRaiserSendsThem() {
        Alert lost = alert(AlertKind.COORDINATION_LOST, "coordination-lost/relay-1", T0);
        Map<Alert, String> drop = AlertDelivery.toDrop(List.of(lost), Map.of(lost.id(), T0), false,
                T0.plus(Duration.ofDays(1)), Duration.ofMinutes(10));
        assertEquals(Map.of(), drop);
    }

    @Test
    void anAlertInFlightIsNotTouched() {
        AlertOutbox outbox = outbox();
        Alert failover = alert(AlertKind.FAILOVER, "failover/mymaster/10.0.0.2:6379", T0);
        outbox.store(List.of(failover)); // in flight: this relay's channel route is sending it
        registry.record("ops", failover.id(), T0.plusSeconds(2));
        delivery(outbox).dropDelivered(true);
        assertEquals(1, outbox().unsent(true).size(), "still on disk");
    }
}
