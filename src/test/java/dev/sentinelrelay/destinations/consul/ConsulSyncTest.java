package dev.sentinelrelay.destinations.consul;

import dev.sentinelrelay.resolve.Routing;
import dev.sentinelrelay.configuration.ConsulConfig;
import dev.sentinelrelay.configuration.ConsulConfig.ConsulTarget;
import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.deadletter.DeadLetters;
import dev.sentinelrelay.resolve.Trigger;
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
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConsulSyncTest {

    private static final ConsulConfig CONFIG = new ConsulConfig("http://127.0.0.1:8500", "s3cret-token", null, null,
            Map.of("mymaster", new ConsulTarget("redis-mymaster", List.of("master"), "redis-mymaster", null)));

    @Test
    void knowsWhatTheCatalogHoldsAfterAWrite(@TempDir Path dir) {
        ConsulSync sync = new ConsulSync(CONFIG);
        Routing routed = Routing.route(Trigger.promotion("mymaster", null), new HostPort("127.0.0.1", 6380));
        assertNull(sync.holding("mymaster"));
        sync.applied(sync.tasks(routed).get(0));
        assertEquals(routed.holding(), sync.holding("mymaster"));
    }

    @Test
    void aFailureIsDeadLetteredWithTheRootCauseAndTheTokenMasked(@TempDir Path dir) throws IOException {
        DeadLetters deadLetters = new DeadLetters(dir);
        ConsulSync sync = new ConsulSync(CONFIG);
        Routing routed = Routing.route(Trigger.reconcile("mymaster"), new HostPort("127.0.0.1", 6380));
        ConsulTask task = sync.tasks(routed).get(0);
        Exception failure = new RuntimeException("request to [http://x/v1/catalog/register?token=s3cret-token] failed",
                new ConnectException("Failed to connect to /127.0.0.1:8500"));
        deadLetters.store(sync.deadLetter(task, failure));
        sync.failed(task, failure);
        String line = Files.readString(deadLetters.file());
        assertTrue(line.contains("\"destination\":\"consul (http://127.0.0.1:8500)\"") && line.contains("Failed to connect")
                && line.contains("token=******"), line);
        assertFalse(line.contains("s3cret"), line);
        assertNull(sync.holding("mymaster"), "not known after a failure: the next reconcile reads back");
    }
}
