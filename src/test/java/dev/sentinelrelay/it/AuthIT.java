package dev.sentinelrelay.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import redis.clients.jedis.Jedis;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sentinels and Redis servers that require a password: followed, and the password never appears in the log. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthIT {

    private static final String PASSWORD = "pw-7c1e9b2f";

    private Sandbox sandbox;
    private Relay relay;

    @BeforeAll
    void start() throws IOException {
        sandbox = Sandbox.start(PASSWORD);
        relay = Relay.start(sandbox, Map.of("relay.sentinel.password", PASSWORD, "relay.redis.password", PASSWORD));
    }

    @AfterAll
    void stop() {
        if (relay != null) {
            relay.close();
        }
        if (sandbox != null) {
            sandbox.close();
        }
    }

    @Test
    void followsAFailoverWithAuthAndNeverLogsThePassword() {
        int newMaster = sandbox.failover();

        await("clients reach the new master").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .ignoreExceptions()
                .until(() -> {
                    try (Jedis j = sandbox.clientThroughFrontend()) {
                        return Sandbox.tcpPort(j) == newMaster && "OK".equals(j.set("k", "v"));
                    }
                });
        assertTrue(relay.log().contains("auth sentinel default:****** redis default:******"), relay.tail());
        assertFalse(relay.log().contains(PASSWORD), "the password leaked into the log");
    }
}
