package dev.sentinelrelay.ops;

import dev.sentinelrelay.resolve.RelayHealth;
import dev.sentinelrelay.resolve.Routing;
import dev.sentinelrelay.destinations.NewestWins;
import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.resolve.Trigger;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WarmUpTest {

    private final RelayHealth health = new RelayHealth(List.of("mymaster", "cache"), () -> 2);
    private final NewestWins haproxy = new NewestWins();
    private final WarmUp warmUp = new WarmUp(List.of("mymaster", "cache"), 3, haproxy, health);

    private static List<String> masters(List<Trigger> round) {
        return round.stream().map(Trigger::master).toList();
    }

    @Test
    void eachRoundReconcilesOneMasterInTurnUntilOneIsRefused() {
        assertEquals(3, warmUp.start(), "rounds in all, whatever the number of masters");
        List<Trigger> first = warmUp.round();
        assertEquals(List.of("mymaster"), masters(first));
        assertTrue(first.stream().allMatch(Trigger::readBack), "reconciles: every HAProxy read back");
        assertEquals(List.of("cache"), masters(warmUp.round()));
        assertEquals(List.of("mymaster"), masters(warmUp.round()));

        warmUp.reconciled(Routing.route(Trigger.reconcile("mymaster"), new HostPort("10.0.0.1", 6379)));
        warmUp.reconciled(Routing.none(Trigger.reconcile("cache"), "no majority"));
        assertEquals(List.of("mymaster"), masters(warmUp.round()), "a master not verified is left out");
        assertEquals(List.of("mymaster"), masters(warmUp.round()));

        warmUp.reconciled(Routing.none(Trigger.reconcile("mymaster"), "no majority"));
        assertEquals(List.of(), masters(warmUp.round()), "none left: the rounds left do nothing");
    }

    @Test
    void prefersAMasterTheStartUpReconcileReached() {
        warmUp.start();
        health.reconciled("cache");
        assertEquals(List.of("cache"), masters(warmUp.round()), "mymaster's first contact is the start-up reconcile's");
        assertEquals(List.of("cache"), masters(warmUp.round()));
        health.reconciled("mymaster");
        assertEquals(List.of("mymaster"), masters(warmUp.round()));
        assertEquals(List.of("cache"), masters(warmUp.round()));
    }

    @Test
    void theRelayIsReadyOnlyOnceWarmedUp() {
        health.sentinelsAnswered(2);
        health.reconciled("mymaster");
        health.reconciled("cache");
        warmUp.start();
        assertFalse(health.ready(), health.describe());
        warmUp.done();
        assertTrue(health.ready(), health.describe());
    }

    @Test
    void waitsForTheHaproxyTasksOfAReconcile() throws Exception {
        assertTrue(haproxy.offer("haproxy-1/mymaster", "task"));
        assertTrue(haproxy.hasNext("haproxy-1/mymaster"));
        CompletableFuture<Void> waiting = CompletableFuture.runAsync(warmUp::awaitIdle);
        assertFalse(waiting.isDone());
        haproxy.next("haproxy-1/mymaster");
        assertFalse(haproxy.hasNext("haproxy-1/mymaster"));
        waiting.get(5, TimeUnit.SECONDS);
    }
}
