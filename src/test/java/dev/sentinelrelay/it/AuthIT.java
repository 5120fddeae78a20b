package dev.sentinelrelay.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sentinels and Redis servers that require a password: followed, and the password never appears in the log. */
class AuthIT extends SandboxIT {

    private static final String PASSWORD = "pw-7c1e9b2f";


    @BeforeAll
    void start() throws IOException {
        sandbox = Sandbox.start(PASSWORD);
        relay = Relay.start(sandbox, Map.of("relay.sentinel.password", PASSWORD, "relay.redis.password", PASSWORD));
    }

    @Test
    void followsAFailoverWithAuthAndNeverLogsThePassword() {
        int newMaster = sandbox.failover();

        sandbox.awaitClientsReach(newMaster);
        assertTrue(relay.log().contains("auth sentinel default:****** redis default:******"), relay.tail());
        assertFalse(relay.log().contains(PASSWORD), "the password leaked into the log");
    }
}
