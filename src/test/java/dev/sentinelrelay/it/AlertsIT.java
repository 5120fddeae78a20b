package dev.sentinelrelay.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Alerts end to end, with real sentinel failovers: Slack, Teams, generic webhook and email (GreenMail) channels,
 * a receiver that fails three times before accepting, one that times out, one that answers 404 and one that is
 * down. Asserts what each receiver got (master, old and new address), the dead-letter store, replay, delivery
 * after a SIGKILL, that a channel is added by configuration alone, and that no secret reaches the log. Each test
 * raises the alerts it asserts on, with a relay that has sent none yet, and counts only what arrived after it
 * began ({@link #knownState()}), so each passes alone and in any order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AlertsIT extends SandboxIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration DELIVERED = Duration.ofSeconds(60);
    private static final String SMTP_PASSWORD = "smtp-Pa55-secret";
    private static final String SLACK = "/slack/T0SECRET/B0SECRET/slacktoken";
    private static final String TEAMS = "/teams/workflows/teamstoken";
    private static final String GENERIC = "/generic/generictoken";
    private static final String FLAKY = "/flaky/flakytoken";
    private static final String SLOW = "/discord/slowtoken";
    private static final String GONE = "/gone/gonetoken";
    private static final String DOWN = "/down/downtoken";
    private static final String EXTRA = "/extra/extratoken";

    private WebhookReceiver hooks;
    private WebhookReceiver flaky;
    private WebhookReceiver slow;
    private WebhookReceiver gone;
    private WebhookReceiver down;
    private int downPort;
    private GreenMail mail;
    /** Receives for the channel added by configuration (anAlertWhoseRetryIsPending...), until the class ends. */
    private WebhookReceiver extra;
    private Path config;
    /** Mails received before the current test began: not counted. */
    private int mailMark;
    /** Lines of the dead-letter store written before the current test began: not counted. */
    private long deadLettersMark;
    /** Whether the running relay has served a test that raised alerts: it would drop that test's repeats of them. */
    private boolean relayAlerted;

    @BeforeAll
    void start() throws Exception {
        sandbox = Sandbox.start();
        hooks = WebhookReceiver.start(Sandbox.freePort());
        flaky = WebhookReceiver.start(Sandbox.freePort());
        slow = WebhookReceiver.start(Sandbox.freePort());
        slow.delay(Duration.ofSeconds(3));
        gone = WebhookReceiver.start(Sandbox.freePort());
        gone.defaultStatus(404);
        downPort = Sandbox.freePort();
        mail = new GreenMail(new ServerSetup(Sandbox.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        mail.setUser("oncall@example.com", "relay", SMTP_PASSWORD);
        mail.start();

        Map<String, String> alerts = new LinkedHashMap<>();
        alerts.put("relay.alerts.channels", "chat,cards,generic,flaky,slow,gone,down,mail");
        channel(alerts, "chat", "slack", hooks.url(SLACK));
        channel(alerts, "cards", "teams", hooks.url(TEAMS));
        alerts.put("relay.alerts.cards.min-severity", "critical");
        channel(alerts, "generic", "webhook", hooks.url(GENERIC));
        channel(alerts, "flaky", "webhook", flaky.url(FLAKY));
        alerts.put("relay.alerts.flaky.attempts", "12");
        alerts.put("relay.alerts.flaky.retry-delay", "300ms");
        alerts.put("relay.alerts.flaky.max-retry-delay", "1s");
        channel(alerts, "slow", "discord", slow.url(SLOW));
        alerts.put("relay.alerts.slow.attempts", "2");
        channel(alerts, "gone", "webhook", gone.url(GONE));
        channel(alerts, "down", "webhook", "http://127.0.0.1:" + downPort + DOWN);
        alerts.put("relay.alerts.down.attempts", "3");
        alerts.put("relay.alerts.mail.type", "email");
        alerts.put("relay.alerts.mail.smtp-host", "127.0.0.1");
        alerts.put("relay.alerts.mail.smtp-port", String.valueOf(mail.getSmtp().getPort()));
        alerts.put("relay.alerts.mail.from", "relay@example.com");
        alerts.put("relay.alerts.mail.to", "oncall@example.com");
        alerts.put("relay.alerts.mail.username", "relay");
        alerts.put("relay.alerts.mail.password", SMTP_PASSWORD);
        alerts.put("relay.alerts.timeout", "1s");
        alerts.put("relay.alerts.repeat-after", "10m");
        relay = Relay.start(sandbox, alerts);
        config = relay.config();
    }

    /**
     * For a test that raises alerts: a relay that has sent none yet. The relay sends an alert once per repeat-after
     * (10 minutes here), so one that sent an earlier test's master-down, failover or delivery-failed would drop
     * this test's. An earlier test's messages still in the outbox are delivered or dead-lettered first, so the new
     * relay does not send them during this test.
     */
    private void relayThatHasSentNoAlert() throws IOException {
        if (relayAlerted) {
            Path outbox = relay.dataDir().resolve("outbox");
            await("the earlier test's alerts delivered or dead-lettered").atMost(DELIVERED).until(() -> {
                try (Stream<Path> files = Files.walk(outbox)) {
                    return files.noneMatch(f -> f.toString().endsWith(".json"));
                } catch (NoSuchFileException none) {
                    return true;
                }
            });
            relay.close();
            relaunch();
            relay.awaitReady();
            mark();
        }
        relayAlerted = true;
    }

    private void relaunch() {
        relay = Relay.launch(config, relay.apiPort, sandbox.dir.resolve("relay-" + System.nanoTime() + ".log"));
    }

    private static void channel(Map<String, String> props, String name, String type, String url) {
        props.put("relay.alerts." + name + ".type", type);
        props.put("relay.alerts." + name + ".url", url);
        props.put("relay.alerts." + name + ".retry-delay", "100ms");
    }

    /**
     * The relay running (a test that killed it may have failed before starting it again) and ready, clients on the
     * master; receivers, mailbox, dead-letter store and log marked.
     */
    @BeforeEach
    void knownState() throws IOException {
        flaky.defaultStatus(200); // a test that failed may have left it failing
        if (!relay.process.alive()) {
            relaunch();
        }
        relay.awaitReady();
        sandbox.awaitClientsReach(sandbox.sentinelMasterPort());
        mark();
    }

    /** From here on only what arrives is counted: receivers, mailbox, dead-letter store and the relay's log. */
    private void mark() throws IOException {
        Stream.of(hooks, flaky, slow, gone, extra).filter(r -> r != null).forEach(WebhookReceiver::mark);
        mailMark = mail.getReceivedMessages().length;
        deadLettersMark = deadLetters().lines().count();
        relay.markLog();
    }

    @AfterAll
    void stopReceivers() {
        Stream.of(hooks, flaky, slow, gone, down, extra).filter(r -> r != null).forEach(WebhookReceiver::close);
        if (mail != null) {
            mail.stop();
        }
    }

    @Test
    @Order(1)
    void aKilledMasterMakesOneDownAlertAndOneFailoverAlertPerChannel() throws Exception {
        relayThatHasSentNoAlert();
        flaky.queue(500, 500, 500);
        int oldMaster = sandbox.sentinelMasterPort();
        sandbox.redisProcess(oldMaster).kill();
        int newMaster = sandbox.awaitNewMaster(oldMaster);
        sandbox.awaitClientsReach(newMaster);
        String old = "127.0.0.1:" + oldMaster;
        String now = "127.0.0.1:" + newMaster;

        await("generic webhook: master-down and failover").atMost(DELIVERED)
                .until(() -> kinds(hooks.accepted(GENERIC)).containsAll(List.of("master-down", "failover")));
        // three sentinels each published +odown: no duplicate may arrive meanwhile
        await("one master-down alert, no duplicate").during(Duration.ofSeconds(4)).atMost(DELIVERED)
                .until(() -> alerts(hooks.accepted(GENERIC)).stream().filter(a -> a.path("kind").asText().equals("master-down")).count() == 1);
        List<JsonNode> generic = alerts(hooks.accepted(GENERIC));
        assertEquals(1, generic.stream().filter(a -> a.path("kind").asText().equals("master-down")).count(), generic.toString());
        JsonNode down = generic.stream().filter(a -> a.path("kind").asText().equals("master-down")).findFirst().orElseThrow();
        assertEquals("mymaster", down.path("master").asText());
        assertEquals("critical", down.path("severity").asText());
        assertEquals(old, down.path("details").path("address").asText(), down.toString());
        List<JsonNode> failovers = generic.stream().filter(a -> a.path("kind").asText().equals("failover")).toList();
        assertEquals(1, failovers.size(), generic.toString());
        JsonNode failover = failovers.get(0);
        assertEquals(old, failover.path("details").path("old master").asText(), failover.toString());
        assertEquals(now, failover.path("details").path("new master").asText(), failover.toString());
        assertTrue(failover.path("details").path("haproxy-1").asText().matches("updated [0-9.]+ ms after .+"), failover.toString());
        assertTrue(failover.path("details").path("verified by sentinels").asText().split(", ").length >= 2, failover.toString());

        // Slack: one message text per alert, with the master and both addresses
        List<String> slack = hooks.accepted(SLACK).stream().map(AlertsIT::json).map(n -> n.toString()).toList();
        assertEquals(1, slack.stream().filter(s -> s.contains("master down")).count(), slack.toString());
        assertTrue(slack.stream().anyMatch(s -> s.contains("failover completed") && s.contains(old) && s.contains(now)), slack.toString());

        // Teams takes critical only: the down alert as an Adaptive Card, never the (warning) failover
        List<JsonNode> teams = hooks.accepted(TEAMS).stream().map(AlertsIT::json).toList();
        assertFalse(teams.isEmpty());
        JsonNode card = teams.get(0).path("attachments").get(0);
        assertEquals("application/vnd.microsoft.card.adaptive", card.path("contentType").asText());
        assertEquals("AdaptiveCard", card.path("content").path("type").asText());
        assertTrue(teams.stream().anyMatch(t -> t.toString().contains("master down") && t.toString().contains(old)), teams.toString());
        assertTrue(teams.stream().noneMatch(t -> t.toString().contains("failover completed")), teams.toString());

        // email: the same, by SMTP
        await("email delivered").atMost(DELIVERED).until(() -> mailText().contains("failover completed"));
        String mails = mailText();
        assertTrue(mails.contains("master down") && mails.contains(old) && mails.contains(now), mails);
        assertEquals(1, occurrences(mails, "== master down"), mails);

        // the receiver that failed three times got it after its retries
        await("flaky receiver accepted after 500s").atMost(DELIVERED)
                .until(() -> kinds(flaky.accepted(FLAKY)).contains("master-down"));
        assertTrue(flaky.count(FLAKY) >= 4, "three 500s, then accepted: " + flaky.requests());

        sandbox.startRedis(oldMaster, newMaster);
        sandbox.awaitSentinelsSettled();
    }

    @Test
    @Order(2)
    void failingChannelsAreDeadLetteredWithTheirReasonAndReportedOnTheOthers() throws Exception {
        relayThatHasSentNoAlert();
        killMaster();
        await("dead letters of the slow, gone and down channels").atMost(DELIVERED).until(() -> {
            String letters = newDeadLetters();
            return letters.contains("\"alert:slow\"") && letters.contains("\"alert:gone\"") && letters.contains("\"alert:down\"");
        });
        String letters = newDeadLetters();
        assertTrue(line(letters, "alert:gone").contains("HTTP 404"), letters);
        assertEquals(1, gone.requests().stream().filter(r -> kinds(List.of(r.body())).contains("master-down")).count(),
                "a 4xx is not retried: " + gone.requests());
        assertTrue(line(letters, "alert:down").contains("Connect"), letters);
        assertTrue(line(letters, "alert:slow").toLowerCase().contains("timeout")
                || line(letters, "alert:slow").toLowerCase().contains("timed out"), letters);
        await("the other channels are told about the failing ones").atMost(DELIVERED).until(() -> reportedAsFailed("alert:down"));
    }

    /** Whether the generic webhook got a delivery-failed alert for {@code destination} since the test began. */
    private boolean reportedAsFailed(String destination) {
        return alerts(hooks.accepted(GENERIC)).stream().anyMatch(a -> a.path("kind").asText().equals("delivery-failed")
                && a.path("details").path("destination").asText().equals(destination));
    }

    @Test
    @Order(3)
    void replayDeliversTheDeadLetteredAlertOnceTheReceiverIsUp() throws Exception {
        relayThatHasSentNoAlert();
        int oldMaster = killMaster();
        await("the down channel's alert dead-lettered").atMost(DELIVERED)
                .until(() -> line(newDeadLetters(), "alert:down").contains("master-down"));
        // and the failure reported, so nothing about it is still on its way to the store when replay empties it
        await("the down channel's failure reported").atMost(DELIVERED).until(() -> reportedAsFailed("alert:down"));
        down = WebhookReceiver.start(downPort);
        try {
            replay(oldMaster);
        } finally {
            down.close(); // down again for the tests that follow
            down = null;
        }
    }

    private void replay(int oldMaster) throws Exception {
        ManagedProcess replay = ManagedProcess.start("replay", List.of(Sandbox.HOME.resolve("bin/relay").toString(), "replay", "down"),
                Sandbox.HOME, sandbox.dir.resolve("replay.log"),
                Map.of("RELAY_CONFIG", config.toString(), "RELAY_JAR", Relay.JAR.toAbsolutePath().toString()));
        assertEquals(0, replay.awaitExit(60), replay.logText());
        assertTrue(replay.logText().contains("back in"), replay.logText());

        // the store may hold earlier tests' letters too: all are replayed, one by one, this test's among them
        await("the replayed alert, naming the killed master, reaches the receiver").atMost(DELIVERED)
                .until(() -> alerts(down.accepted(DOWN)).stream().anyMatch(a -> a.path("kind").asText().equals("master-down")
                        && a.path("details").path("address").asText().equals("127.0.0.1:" + oldMaster)));
        assertFalse(line(deadLetters(), "alert:down").contains("master"), "replayed letters leave the store");
    }

    @Test
    @Order(4)
    void anAlertWhoseRetryIsPendingWhenTheRelayIsKilledArrivesAfterRestart() throws Exception {
        relayThatHasSentNoAlert();
        flaky.defaultStatus(503);
        long before = flaky.count(FLAKY);
        int master = sandbox.sentinelMasterPort();
        int next = sandbox.failover();
        sandbox.awaitClientsReach(next);
        await("a failover alert attempt failed and a retry is pending").atMost(DELIVERED)
                .until(() -> flaky.requests().stream().skip(before).anyMatch(r -> r.body().contains("\"failover\"")));
        relay.process.signal("KILL");
        relay.process.awaitExit(30);
        flaky.defaultStatus(200);

        // adding a channel is a configuration change only: append it, restart. Its receiver stays up until the class
        // ends, so the channel does not fail in the tests that follow
        if (extra == null) {
            extra = WebhookReceiver.start(Sandbox.freePort());
            String text = Files.readString(config).replace("relay.alerts.channels = chat,", "relay.alerts.channels = extra,chat,");
            Files.writeString(config, text + "relay.alerts.extra.type = webhook\nrelay.alerts.extra.url = " + extra.url(EXTRA) + "\n");
        }
        relaunch();
        relay.awaitReady();

        await("the alert from before the kill arrives").atMost(DELIVERED).until(() -> alerts(flaky.accepted(FLAKY)).stream()
                .anyMatch(a -> a.path("kind").asText().equals("failover")
                        && a.path("details").path("new master").asText().equals("127.0.0.1:" + next)
                        && a.path("details").path("old master").asText().equals("127.0.0.1:" + master)));

        int third = sandbox.failover();
        sandbox.awaitClientsReach(third);
        await("the added channel gets the next failover").atMost(DELIVERED).until(() -> alerts(extra.accepted(EXTRA))
                .stream().anyMatch(a -> a.path("details").path("new master").asText().equals("127.0.0.1:" + third)));
    }

    @Test
    @Order(5)
    void noSecretReachesTheLog() throws IOException {
        String logs; // of every relay this class started
        try (Stream<Path> files = Files.list(sandbox.dir)) {
            List<Path> relayLogs = files.filter(f -> f.getFileName().toString().matches("relay-.*\\.log")).toList();
            StringBuilder text = new StringBuilder();
            for (Path log : relayLogs) {
                text.append(Files.readString(log));
            }
            logs = text.toString();
        }
        for (String secret : List.of(SMTP_PASSWORD, "slacktoken", "teamstoken", "generictoken", "flakytoken", "slowtoken",
                "gonetoken", "downtoken", "extratoken")) {
            assertFalse(logs.contains(secret), "log contains " + secret);
        }
        assertTrue(logs.contains("http://127.0.0.1:" + hooks.port() + "/******"), "URLs are shown masked");
    }

    // ---- helpers -------------------------------------------------------------------------------------

    private String deadLetters() throws IOException {
        Path file = relay.dataDir().resolve("dead-letters.jsonl");
        return Files.exists(file) ? Files.readString(file) : "";
    }

    /** The dead letters stored since the test began. */
    private String newDeadLetters() throws IOException {
        return String.join("\n", deadLetters().lines().skip(deadLettersMark).toList());
    }

    /**
     * Kills the master, waits until clients reach the new one, and starts the old one again as its replica;
     * returns the killed master's port.
     */
    private int killMaster() throws Exception {
        int oldMaster = sandbox.sentinelMasterPort();
        sandbox.redisProcess(oldMaster).kill();
        int newMaster = sandbox.awaitNewMaster(oldMaster);
        sandbox.awaitClientsReach(newMaster);
        sandbox.startRedis(oldMaster, newMaster);
        return oldMaster;
    }

    private static String line(String lines, String destination) {
        return lines.lines().filter(l -> l.contains("\"destination\":\"" + destination + "\"")).findFirst().orElse("");
    }

    /** The mails received since the test began. */
    private String mailText() {
        StringBuilder out = new StringBuilder();
        MimeMessage[] received = mail.getReceivedMessages();
        for (MimeMessage m : Arrays.copyOfRange(received, Math.min(mailMark, received.length), received.length)) {
            try {
                out.append(m.getSubject()).append('\n').append(m.getContent()).append('\n');
            } catch (jakarta.mail.MessagingException | IOException e) {
                throw new AssertionError("unreadable mail", e);
            }
        }
        return out.toString();
    }

    private static long occurrences(String text, String part) {
        return text.split(java.util.regex.Pattern.quote(part), -1).length - 1;
    }

    private static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }

    /** Every alert of every generic webhook document. */
    private static List<JsonNode> alerts(List<String> documents) {
        List<JsonNode> out = new ArrayList<>();
        documents.forEach(d -> json(d).path("alerts").forEach(out::add));
        return out;
    }

    private static List<String> kinds(List<String> documents) {
        return alerts(documents).stream().map(a -> a.path("kind").asText()).toList();
    }
}
