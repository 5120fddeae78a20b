package dev.sentinelrelay.haproxy;

import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.configuration.RelayConfig.HaproxyTarget;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RuntimeCommandsTest {

    private static final HaproxyTarget TARGET = new HaproxyTarget("redis_mymaster", "master");

    @Test
    void pointsTheServerAtTheMasterAndCutsItsSessionsInOneLine() {
        assertEquals("set server redis_mymaster/master addr 10.0.0.2 port 6380; "
                        + "set server redis_mymaster/master state ready; shutdown sessions server redis_mymaster/master\n",
                RuntimeCommands.pointAt(TARGET, new HostPort("10.0.0.2", 6380)));
        assertEquals("set server redis_mymaster/master addr fe80::1 port 6380; "
                        + "set server redis_mymaster/master state ready; shutdown sessions server redis_mymaster/master\n",
                RuntimeCommands.pointAt(TARGET, new HostPort("fe80::1", 6380)));
    }

    @Test
    void readsBackTheBackend() {
        assertEquals("show servers state redis_mymaster\n", RuntimeCommands.showServersState("redis_mymaster"));
    }

    @Test
    void refusesAnythingThatCouldSmuggleAnotherCommand() {
        assertThrows(IllegalArgumentException.class,
                () -> RuntimeCommands.pointAt(new HaproxyTarget("b;shutdown sessions", "s"), new HostPort("10.0.0.2", 1)));
        assertThrows(IllegalArgumentException.class,
                () -> RuntimeCommands.pointAt(new HaproxyTarget("b", "s\nset server x"), new HostPort("10.0.0.2", 1)));
        assertThrows(IllegalArgumentException.class, () -> RuntimeCommands.showServersState("b c"));
        assertThrows(IllegalArgumentException.class,
                () -> RuntimeCommands.pointAt(TARGET, new HostPort("redis.example.org", 6379)), "HAProxy takes IPs only");
    }
}
