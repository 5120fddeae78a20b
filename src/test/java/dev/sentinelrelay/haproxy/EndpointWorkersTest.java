package dev.sentinelrelay.haproxy;

import dev.sentinelrelay.Routing;
import dev.sentinelrelay.configuration.HaproxyEndpoint;
import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.configuration.RelayConfig;
import dev.sentinelrelay.configuration.RelayConfigTest;
import dev.sentinelrelay.sentinel.Trigger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

class EndpointWorkersTest {

    private static final RelayConfig CONFIG = RelayConfig.from(RelayConfigTest.valid()::get);
    private static final HaproxyEndpoint ONE = CONFIG.haproxyEndpoints().get(0);
    private static final HaproxyEndpoint TWO = CONFIG.haproxyEndpoints().get(1);
    private static final ModePlan PLAN = ModePlan.of("mymaster", CONFIG.haproxyTargets().get("mymaster"));

    private final List<String> started = new CopyOnWriteArrayList<>();
    private final List<String> done = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private EndpointWorkers workers;

    @AfterEach
    void stop() {
        release.countDown();
        workers.close();
    }

    private static HaproxyTask task(HaproxyEndpoint endpoint, String master, int port) {
        Routing routing = Routing.route(Trigger.reconcile(master), new HostPort("10.0.0.1", port));
        return new HaproxyTask(endpoint, PLAN, routing, false);
    }

    /** Records each task; tasks for endpoint ONE block until released. */
    private EndpointWorkers workers(boolean holdOne) {
        return new EndpointWorkers(CONFIG.haproxyEndpoints(), t -> {
            started.add(t.endpoint().id() + " " + t.routing().master().port());
            if (holdOne && t.endpoint().equals(ONE)) {
                await().atMost(10, TimeUnit.SECONDS).until(() -> release.getCount() == 0);
            }
            done.add(t.endpoint().id() + " " + t.routing().name() + " " + t.routing().master().port());
        });
    }

    @Test
    void aBlockedEndpointDoesNotHoldUpAnother() {
        workers = workers(true);
        workers.submitAll(List.of(task(ONE, "mymaster", 1), task(TWO, "mymaster", 1)));

        await().atMost(10, TimeUnit.SECONDS).until(() -> done.contains("haproxy-2 mymaster 1"));
        assertEquals(List.of("haproxy-2 mymaster 1"), done, "haproxy-1 is still blocked");
        release.countDown();
        await().atMost(10, TimeUnit.SECONDS).until(() -> done.size() == 2);
    }

    @Test
    void theLatestRoutingReplacesOneThatHasNotStarted() {
        workers = workers(true);
        workers.submit(task(ONE, "mymaster", 1));
        await().atMost(10, TimeUnit.SECONDS).until(() -> started.contains("haproxy-1 1"));
        workers.submit(task(ONE, "mymaster", 2));
        workers.submit(task(ONE, "mymaster", 3));
        release.countDown();

        await().atMost(10, TimeUnit.SECONDS).until(() -> done.contains("haproxy-1 mymaster 3"));
        assertEquals(List.of("haproxy-1 mymaster 1", "haproxy-1 mymaster 3"), done, "2 was replaced before it started");
    }

    @Test
    void oneMastersTasksForAnEndpointRunOneAtATimeInOrder() {
        workers = workers(false);
        for (int port = 1; port <= 50; port++) {
            workers.submit(task(ONE, "mymaster", port));
        }
        await().atMost(10, TimeUnit.SECONDS).until(() -> done.contains("haproxy-1 mymaster 50"));
        List<Integer> ports = done.stream().map(d -> Integer.parseInt(d.substring(d.lastIndexOf(' ') + 1))).toList();
        assertEquals(ports.stream().sorted().toList(), ports, "in submission order, some skipped: " + ports);
        assertEquals(50, ports.get(ports.size() - 1));
    }
}
