package dev.sentinelrelay.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;

/** Base of the integration tests: one sandbox and at most one relay per test class, stopped by PID at the end. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SandboxIT {

    protected Sandbox sandbox;
    protected Relay relay;

    @AfterAll
    void stopRelayAndSandbox() {
        if (relay != null) {
            relay.close();
        }
        if (sandbox != null) {
            sandbox.close();
        }
    }
}
