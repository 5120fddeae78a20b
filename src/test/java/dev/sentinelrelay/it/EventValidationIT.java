package dev.sentinelrelay.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Events that must change nothing: malformed payloads, masters the relay does not follow, and a well-formed
 * {@code +switch-master} that the real sentinels do not confirm. A fourth, fake sentinel publishes them
 * (a real sentinel does not let clients publish on its event channels); the three real sentinels still form
 * the majority of four.
 */
class EventValidationIT extends SandboxIT {

    private FakeSentinel fake;

    @BeforeAll
    void start() throws Exception {
        sandbox = Sandbox.start();
        fake = new FakeSentinel();
        String sentinels = String.join(",", sandbox.sentinelPorts.stream().map(p -> "127.0.0.1:" + p).toList())
                + ",127.0.0.1:" + fake.port();
        relay = Relay.start(sandbox, Map.of("relay.sentinels", sentinels, "relay.reconcile.interval", "1h"));
        await("relay subscribed to the fake sentinel").atMost(Duration.ofSeconds(30)).until(fake::hasSubscriber);
    }

    @AfterAll
    void stopFake() throws Exception {
        if (fake != null) {
            fake.close();
        }
    }

    @Test
    void invalidEventsAreRejectedAndHaproxyIsUntouched() throws Exception {
        int master = sandbox.sentinelMasterPort();
        int replica = sandbox.redisPorts.stream().filter(p -> p != master).findFirst().orElseThrow();
        long updatesBefore = relay.count("haproxy updated");

        List<String[]> rejected = List.of(
                new String[]{"+switch-master", "mymaster 127.0.0.1 " + master},                       // too few fields
                new String[]{"+switch-master", "mymaster 127.0.0.1 " + master + " 127.0.0.1 99999"},  // port out of range
                new String[]{"+switch-master", "mymaster 127.0.0.1 " + master + " 127.0.0.1;shutdown 1"},
                new String[]{"+switch-master", "othermaster 127.0.0.1 " + master + " 127.0.0.1 " + replica},
                new String[]{"+odown", "master mymaster not-an-ip!! 6379 #quorum 2/2"},
                new String[]{"+sdown", ""},
                new String[]{"+tilt", "garbage"});
        for (String[] event : rejected) {
            fake.publish(event[0], event[1]);
        }
        await("every invalid event rejected").atMost(Duration.ofSeconds(30))
                .until(() -> relay.count("rejected event from") >= rejected.size());

        // well-formed, but the real sentinels say otherwise: verification refuses it
        fake.publish("+switch-master", "mymaster 127.0.0.1 " + master + " 127.0.0.1 " + replica);
        await("unconfirmed +switch-master refused").atMost(Duration.ofSeconds(30))
                .until(() -> relay.count("not changing anything") >= 1);

        assertEquals(rejected.size(), relay.count("rejected event from"), relay.tail());
        assertEquals(updatesBefore, relay.count("haproxy updated"), relay.tail());
        assertEquals(master, sandbox.haproxyServerPort(), "HAProxy's server entry still holds the master");
        assertEquals(master, sandbox.portBehindFrontend());
        assertEquals(true, relay.process.alive(), "the relay survives bad input");
    }
}
