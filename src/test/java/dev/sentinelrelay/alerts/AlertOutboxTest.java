package dev.sentinelrelay.alerts;

import dev.sentinelrelay.configuration.AlertsConfig;
import dev.sentinelrelay.configuration.AlertsConfigTest;
import dev.sentinelrelay.configuration.RelayConfig;
import dev.sentinelrelay.deadletter.DeadLetter;
import dev.sentinelrelay.deadletter.DeadLetters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AlertOutboxTest {

    @TempDir
    Path data;

    private final RelayConfig config = RelayConfig.from(AlertsConfigTest.withChannels()::get);
    private final AlertsConfig alerts = config.alerts();

    private static Alert alert(AlertKind kind) {
        return Alert.of(kind, "mymaster", kind.title + " \"quoted\"\nnext line", Map.of("old master", "10.0.0.1:6379"),
                kind.id(), null);
    }

    @Test
    void storesOncePerChannelThatTakesAnAlertBeforeDelivery() throws IOException {
        AlertOutbox outbox = new AlertOutbox(alerts, data, new DeadLetters(data));
        List<OutboxEntry> entries = outbox.store(List.of(alert(AlertKind.FAILOVER), alert(AlertKind.MASTER_DOWN)));
        assertEquals(2, entries.size());
        assertEquals(2, entries.get(0).alerts().size(), "ops takes everything");
        assertEquals(List.of(AlertKind.MASTER_DOWN), entries.get(1).alerts().stream().map(Alert::kind).toList(),
                "oncall takes critical only");
        assertTrue(Files.exists(data.resolve("outbox/ops/" + entries.get(0).id() + ".json")));

        outbox.delivered(entries.get(0));
        assertFalse(Files.exists(data.resolve("outbox/ops/" + entries.get(0).id() + ".json")));
    }

    @Test
    void aChannelNeverGetsTheAlertAboutItself() {
        AlertOutbox outbox = new AlertOutbox(alerts, data, new DeadLetters(data));
        Alert aboutOps = Alert.of(AlertKind.DELIVERY_FAILED, null, "ops failed", Map.of(AlertOutbox.CHANNEL, "ops"), "k", null);
        List<OutboxEntry> entries = outbox.store(List.of(aboutOps));
        assertEquals(List.of("oncall"), entries.stream().map(OutboxEntry::channel).toList());
    }

    @Test
    void whatACrashLeftIsFoundAgainExactlyOnce() {
        OutboxEntry left = new AlertOutbox(alerts, data, new DeadLetters(data)).store(List.of(alert(AlertKind.FAILOVER))).get(0);
        AlertOutbox restarted = new AlertOutbox(alerts, data, new DeadLetters(data));
        List<OutboxEntry> unsent = restarted.unsent(true);
        assertEquals(List.of(left), unsent, "the same alerts, with the same id");
        assertTrue(restarted.unsent(true).isEmpty(), "in flight: not handed out twice");
    }

    @Test
    void anAlertWaitingForItsGroupSurvivesACrashUntilTheGroupIsStored() {
        Alert waiting = alert(AlertKind.FAILOVER);
        new AlertOutbox(alerts, data, new DeadLetters(data)).hold(waiting);

        AlertOutbox restarted = new AlertOutbox(alerts, data, new DeadLetters(data));
        assertEquals(List.of(waiting), restarted.ungrouped());
        assertTrue(restarted.ungrouped().isEmpty(), "held again: not handed out twice");
        restarted.store(List.of(waiting));
        assertTrue(new AlertOutbox(alerts, data, new DeadLetters(data)).ungrouped().isEmpty(), "stored: no longer held");
    }

    @Test
    void anUnreadableFileIsSetAsideOnce() throws IOException {
        Files.createDirectories(data.resolve("outbox/ops"));
        Files.writeString(data.resolve("outbox/ops/broken.json"), "{not json");
        AlertOutbox outbox = new AlertOutbox(alerts, data, new DeadLetters(data));
        assertTrue(outbox.unsent(true).isEmpty());
        assertTrue(Files.exists(data.resolve("outbox/ops/broken.json.bad")));
    }

    @Test
    void aFailedMessageIsDeadLetteredAndReplayPutsItBack() throws IOException {
        DeadLetters deadLetters = new DeadLetters(data);
        AlertOutbox outbox = new AlertOutbox(alerts, data, deadLetters);
        OutboxEntry entry = outbox.store(List.of(alert(AlertKind.MASTER_DOWN))).get(0);
        deadLetters.store(new DeadLetter("haproxy-1", Map.of("reason", "unrelated")));
        outbox.failed(entry, new ConnectException("Connection refused"));
        String letters = Files.readString(deadLetters.file());
        assertTrue(letters.contains("\"destination\":\"alert:ops\"") && letters.contains("Connection refused"), letters);
        assertTrue(new AlertOutbox(alerts, data, deadLetters).unsent(true).stream().noneMatch(e -> e.channel().equals("ops")),
                "out of the outbox");

        List<OutboxEntry> replayed = Replay.replay(deadLetters, data, config, "ops");
        assertEquals(List.of(entry), replayed);
        assertEquals(List.of(entry), new AlertOutbox(alerts, data, deadLetters).unsent(true).stream()
                .filter(e -> e.channel().equals("ops")).toList());
        String left = Files.readString(deadLetters.file());
        assertFalse(left.contains("alert:ops"), left);
        assertTrue(left.contains("haproxy-1"), "other dead letters stay: " + left);
    }

    @Test
    void coordinationAlertsGoInAMessageOfTheirOwn() {
        AlertOutbox outbox = new AlertOutbox(alerts, data, new DeadLetters(data));
        List<OutboxEntry> entries = outbox.store(List.of(alert(AlertKind.FAILOVER), alert(AlertKind.COORDINATION_LOST)));
        OutboxEntry own = entries.stream().filter(OutboxEntry::deliveredByRaiser).filter(e -> e.channel().equals("ops"))
                .findFirst().orElseThrow();
        assertEquals(List.of(AlertKind.COORDINATION_LOST), own.alerts().stream().map(Alert::kind).toList());
        assertEquals(List.of(AlertKind.FAILOVER), entries.stream().filter(e -> !e.deliveredByRaiser())
                .flatMap(e -> e.alerts().stream()).map(Alert::kind).toList());
    }

    @Test
    void aRelayThatDoesNotWriteSendsOnlyWhatItSendsItselfAndHoldsTheRest() {
        AlertOutbox relay = new AlertOutbox(alerts, data, new DeadLetters(data));
        relay.store(List.of(alert(AlertKind.FAILOVER), alert(AlertKind.COORDINATION_LOST))).forEach(relay::held);

        List<OutboxEntry> standby = relay.unsent(false);
        assertTrue(!standby.isEmpty() && standby.stream().allMatch(OutboxEntry::deliveredByRaiser), standby.toString());
        List<OutboxEntry> leader = relay.unsent(true);
        assertEquals(List.of(AlertKind.FAILOVER), leader.stream().flatMap(e -> e.alerts().stream()).map(Alert::kind).toList(),
                "held until this relay leads");
    }
}
