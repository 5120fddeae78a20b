package dev.sentinelrelay.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two HAProxies (one on its unix socket, one over TCP), updated independently: one that is down during a
 * failover neither delays nor blocks the other, and is brought in step after it restarts with nothing of what it
 * was told at runtime.
 */
class MultiHaproxyIT extends SandboxIT {

    private static final Duration RECONCILE = Duration.ofSeconds(2);

    @BeforeAll
    void start() throws Exception {
        sandbox = Sandbox.start();
        sandbox.addHaproxy();
        relay = Relay.start(sandbox, Map.of("relay.reconcile.interval", RECONCILE.toSeconds() + "s"));
    }

    @Test
    void aStoppedHaproxyDoesNotHoldUpTheOtherAndIsFixedAfterItRestarts() throws Exception {
        sandbox.stopHaproxy(2);

        int newMaster = sandbox.failover();

        sandbox.awaitClientsReach(1, newMaster);
        String toNewMaster = "-> 127.0.0.1:" + newMaster + " on ";
        // HAProxy answers clients as soon as it holds the change; the relay logs it a moment later
        await("the relay logged haproxy-1's update").atMost(Duration.ofSeconds(10))
                .until(() -> indexOf(relay.linesSinceMark(), "haproxy updated: mymaster", toNewMaster + "haproxy-1") >= 0);
        int updated = indexOf(relay.linesSinceMark(), "haproxy updated: mymaster", toNewMaster + "haproxy-1");
        // haproxy-2's update to the new master only failed after haproxy-1 was done: nothing waited for it
        await("haproxy-2's update to the new master failed after its retries").atMost(Duration.ofSeconds(30))
                .until(() -> indexOf(relay.linesSinceMark(), "haproxy update failed after retries: haproxy-2",
                        "(to hold 127.0.0.1:" + newMaster + " after ") > updated);
        assertEquals(newMaster, sandbox.haproxyServerPort(1));
        String deadLetters = Files.readString(relay.dataDir().resolve("dead-letters.jsonl"));
        assertTrue(deadLetters.contains("\"destination\":\"haproxy-2 (tcp:127.0.0.1:" + sandbox.adminPort(2) + ")\"")
                && deadLetters.contains("\"reason\":\"Cannot connect to"), "dead-lettered with the reason:\n" + deadLetters);

        // restarted from its config file, it points at the old master again until the reconciler fixes it
        sandbox.startHaproxy(2);
        sandbox.awaitClientsReach(2, newMaster);
        assertEquals(newMaster, sandbox.haproxyServerPort(2));
        await("the relay logged haproxy-2's update").atMost(Duration.ofSeconds(10)).until(() ->
                indexOf(relay.linesSinceMark(), "haproxy updated: mymaster", toNewMaster + "haproxy-2") > updated);
        sandbox.awaitSentinelsSettled();
    }

    /** The first log line containing both texts, or -1. */
    private static int indexOf(List<String> lines, String text, String andText) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text) && lines.get(i).contains(andText)) {
                return i;
            }
        }
        return -1;
    }
}
