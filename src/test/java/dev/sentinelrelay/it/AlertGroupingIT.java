package dev.sentinelrelay.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two masters fail over at once: each channel gets one message naming both, with each master's old and new
 * address, instead of one message per master. And an alert still in its group window when the relay is killed
 * is sent after the restart. Each test counts only the messages sent after it began.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AlertGroupingIT extends SandboxIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private WebhookReceiver receiver;

    @BeforeAll
    void start() throws Exception {
        sandbox = Sandbox.startTwoMasters();
        receiver = WebhookReceiver.start(Sandbox.freePort());
        relay = Relay.start(sandbox, Map.of(
                "relay.alerts.channels", "generic,chat",
                "relay.alerts.generic.type", "webhook",
                "relay.alerts.generic.url", receiver.url("/generic/token"),
                "relay.alerts.chat.type", "slack",
                "relay.alerts.chat.url", receiver.url("/slack/token"),
                // both failovers complete within a few seconds of each other on this machine; the window is the
                // operator's choice, the grouping is what is tested
                "relay.alerts.group-window", "8s"));
    }

    /** The relay ready; the receiver and the relay's log marked. */
    @BeforeEach
    void knownState() {
        await("relay ready").atMost(Duration.ofSeconds(60)).until(() -> relay.readyStatus() == 200);
        receiver.mark();
        relay.markLog();
    }

    @AfterAll
    void stopReceiver() {
        if (receiver != null) {
            receiver.close();
        }
    }

    @Test
    @Order(1)
    void twoMastersFailingOverTogetherMakeOneMessagePerChannel() throws Exception {
        int mymaster = sandbox.sentinelMasterPort(Sandbox.MASTER);
        int other = sandbox.sentinelMasterPort(Sandbox.OTHER);
        sandbox.requestFailover(Sandbox.MASTER);
        sandbox.requestFailover(Sandbox.OTHER);
        await("both failed over").atMost(Duration.ofSeconds(60)).until(() ->
                sandbox.sentinelMasterPort(Sandbox.MASTER) != mymaster && sandbox.sentinelMasterPort(Sandbox.MASTER) != -1
                        && sandbox.sentinelMasterPort(Sandbox.OTHER) != other && sandbox.sentinelMasterPort(Sandbox.OTHER) != -1);
        int newMymaster = sandbox.sentinelMasterPort(Sandbox.MASTER);
        int newOther = sandbox.sentinelMasterPort(Sandbox.OTHER);
        sandbox.awaitClientsReach(newMymaster);
        await("HAProxy routes othermaster to its new master").atMost(Duration.ofSeconds(60)).until(() ->
                sandbox.haproxyCommand("show servers state redis_" + Sandbox.OTHER).contains(" " + newOther + " "));

        await("a failover message").atMost(Duration.ofSeconds(60))
                .until(() -> !failoverDocuments(receiver.accepted("/generic")).isEmpty());
        await("no second failover message").during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(60))
                .until(() -> failoverDocuments(receiver.accepted("/generic")).size() == 1);
        List<JsonNode> documents = failoverDocuments(receiver.accepted("/generic"));
        assertEquals(1, documents.size(), "one message for both masters: " + documents);
        JsonNode doc = documents.get(0);
        assertFailover(doc, Sandbox.MASTER, mymaster, newMymaster);
        assertFailover(doc, Sandbox.OTHER, other, newOther);
        assertTrue(doc.path("title").asText().startsWith("[WARNING] 2 alerts"), doc.toString());

        List<String> slack = receiver.accepted("/slack").stream().filter(b -> b.contains("failover completed")).toList();
        assertEquals(1, slack.size(), slack.toString());
        assertTrue(slack.get(0).contains("127.0.0.1:" + newMymaster) && slack.get(0).contains("127.0.0.1:" + newOther), slack.get(0));
    }

    @Test
    @Order(2)
    void anAlertRaisedJustBeforeTheRelayIsKilledArrivesAfterRestart() throws Exception {
        int before = sandbox.sentinelMasterPort(Sandbox.MASTER);
        long failoversBefore = relay.count("alert: failover");
        int next = sandbox.failover();
        sandbox.awaitClientsReach(next);
        await("the failover alert is raised").atMost(Duration.ofSeconds(60))
                .until(() -> relay.count("alert: failover") > failoversBefore);
        // within the 8 s group window: nothing has been sent yet
        relay.process.signal("KILL");
        relay.process.awaitExit(30);
        assertTrue(failoverDocuments(receiver.accepted("/generic")).stream().noneMatch(d -> d.toString().contains("127.0.0.1:" + next)));

        relay = Relay.launch(relay.config(), relay.apiPort, sandbox.dir.resolve("relay-restarted.log"));
        relay.awaitReady();
        await("the alert raised before the kill arrives").atMost(Duration.ofSeconds(60)).until(() ->
                failoverDocuments(receiver.accepted("/generic")).stream().anyMatch(d -> {
                    for (JsonNode a : d.path("alerts")) {
                        if (a.path("details").path("new master").asText().equals("127.0.0.1:" + next)
                                && a.path("details").path("old master").asText().equals("127.0.0.1:" + before)) {
                            return true;
                        }
                    }
                    return false;
                }));
    }

    private static void assertFailover(JsonNode doc, String master, int oldPort, int newPort) {
        JsonNode failover = null;
        for (JsonNode a : doc.path("alerts")) {
            if (a.path("kind").asText().equals("failover") && a.path("master").asText().equals(master)) {
                failover = a;
            }
        }
        assertTrue(failover != null, "no failover alert for " + master + ": " + doc);
        assertEquals("127.0.0.1:" + oldPort, failover.path("details").path("old master").asText(), failover.toString());
        assertEquals("127.0.0.1:" + newPort, failover.path("details").path("new master").asText(), failover.toString());
    }

    private static List<JsonNode> failoverDocuments(List<String> bodies) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String body : bodies) {
            JsonNode doc = JSON.readTree(body);
            for (JsonNode a : doc.path("alerts")) {
                if (a.path("kind").asText().equals("failover")) {
                    out.add(doc);
                    break;
                }
            }
        }
        return out;
    }
}
