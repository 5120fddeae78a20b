package dev.sentinelrelay.haproxy;

import dev.sentinelrelay.RelayHealth;
import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.configuration.RelayConfig;
import dev.sentinelrelay.configuration.RelayConfigTest;
import dev.sentinelrelay.sentinel.SentinelEvent;
import dev.sentinelrelay.sentinel.Trigger;
import dev.sentinelrelay.sentinel.Verdict;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HaproxySyncTest {

    private static final HostPort OLD = new HostPort("10.0.0.1", 6379);
    private static final HostPort NEW = new HostPort("10.0.0.2", 6379);

    private final RelayConfig config = RelayConfig.from(RelayConfigTest.valid()::get); // two endpoints
    private final RelayHealth health = new RelayHealth(config.masters(), config.sentinelMajority());
    private final HaproxySync sync = new HaproxySync(config, health);

    private static Verdict verified(HostPort master, boolean reconcile) {
        Trigger trigger = reconcile ? Trigger.reconcile("mymaster")
                : Trigger.of(new SentinelEvent("+switch-master", "mymaster", OLD, master, "s1"));
        return new Verdict(trigger, master, List.of(), null);
    }

    @Test
    void readsBackWhatItDoesNotKnowAndOnReconcile() {
        List<HaproxyTask> first = sync.tasks(verified(NEW, false));
        assertEquals(2, first.size());
        assertTrue(first.stream().allMatch(HaproxyTask::readBack));

        first.forEach(sync::applied);
        assertTrue(sync.tasks(verified(NEW, true)).stream().allMatch(HaproxyTask::readBack), "reconcile trusts nothing");
    }

    @Test
    void skipsEndpointsKnownToHoldTheMasterAndWritesTheOthers() {
        sync.tasks(verified(OLD, false)).forEach(sync::applied);
        assertEquals(List.of(), sync.tasks(verified(OLD, false)), "the same event from another sentinel writes nothing");

        List<HaproxyTask> moves = sync.tasks(verified(NEW, false));
        assertEquals(2, moves.size());
        assertFalse(moves.get(0).readBack());
        assertEquals("set server redis_mymaster/master addr 10.0.0.2 port 6379; set server redis_mymaster/master state ready;"
                + " shutdown sessions server redis_mymaster/master\n", moves.get(0).pointAtCommand());
    }

    @Test
    void aFailedEndpointIsReadBackNextTimeAndReadinessWaitsForEveryEndpoint() {
        List<HaproxyTask> tasks = sync.tasks(verified(NEW, true));
        sync.applied(tasks.get(0));
        sync.failed(tasks.get(1), new IllegalStateException("connection refused"));
        sync.settled(verified(NEW, true));
        health.sentinelsAnswered(3);
        assertFalse(health.ready(), "one endpoint is not in step");

        List<HaproxyTask> retry = sync.tasks(verified(NEW, false));
        assertEquals(1, retry.size());
        assertTrue(retry.get(0).readBack());
        sync.applied(retry.get(0));
        sync.settled(verified(NEW, false));
        assertTrue(health.ready());
    }

    @Test
    void inStepComparesAddressPortAndAdminState() {
        HaproxyTask task = sync.tasks(verified(NEW, true)).get(0);
        String header = "1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_port\n";
        assertTrue(sync.inStep(task, header + "3 redis_mymaster 1 master 10.0.0.2 2 0 6379\n"));
        assertFalse(sync.inStep(task, header + "3 redis_mymaster 1 master 10.0.0.1 2 0 6379\n"));
        assertFalse(sync.inStep(task, header + "3 redis_mymaster 1 master 10.0.0.2 0 1 6379\n"), "in maintenance");
    }
}
