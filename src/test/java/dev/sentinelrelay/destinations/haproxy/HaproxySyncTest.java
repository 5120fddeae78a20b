package dev.sentinelrelay.destinations.haproxy;

import dev.sentinelrelay.resolve.RelayHealth;
import dev.sentinelrelay.resolve.Routing;
import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.configuration.RelayConfig;
import dev.sentinelrelay.configuration.RelayConfigTest;
import dev.sentinelrelay.sentinel.SentinelEvent;
import dev.sentinelrelay.resolve.Trigger;
import dev.sentinelrelay.deadletter.DeadLetters;
import dev.sentinelrelay.destinations.Write;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import static dev.sentinelrelay.destinations.haproxy.HaproxyReplies.STATE_ST;
import static dev.sentinelrelay.destinations.haproxy.HaproxyReplies.server;
import static dev.sentinelrelay.destinations.haproxy.HaproxyReplies.serversState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HaproxySyncTest {

    private static final HostPort OLD = new HostPort("10.0.0.1", 6379);
    private static final HostPort NEW = new HostPort("10.0.0.2", 6379);
    private static final String ADDR_NEW = "set server redis_mymaster/master addr 10.0.0.2 port 6379;"
            + " set server redis_mymaster/master state ready; shutdown sessions server redis_mymaster/master\n";

    @TempDir
    Path dir;

    private RelayHealth health;
    /** leadership.mayWrite as the sync sees it: false for an observing relay or a standby. */
    private boolean mayWrite = true;

    /** addr mode, two endpoints. */
    private HaproxySync sync(Map<String, String> properties) {
        RelayConfig config = RelayConfig.from(properties::get);
        health = new RelayHealth(config.masters(), config::sentinelMajority);
        health.warmedUp();
        return new HaproxySync(config, health, () -> mayWrite);
    }

    private HaproxySync addr;

    @BeforeEach
    void addrModeWithTwoEndpoints() {
        addr = sync(RelayConfigTest.valid());
    }

    private static Trigger event() {
        return Trigger.of(new SentinelEvent("+switch-master", "mymaster", OLD, NEW, "s1"));
    }

    private static Routing route(HostPort master) {
        return Routing.route(event(), master);
    }

    private static Routing reconcile(HostPort master) {
        return Routing.route(Trigger.reconcile("mymaster"), master);
    }

    private static String addrReply(HostPort at, int adminState) {
        return serversState(server("redis_mymaster", "master", at.host(), at.port(), 2, adminState));
    }

    /** What the haproxy route does with a routing: one task per endpoint, each prepared when its turn comes. */
    private static List<HaproxyTask> tasks(HaproxySync sync, Routing routing) {
        return sync.tasks(routing).stream().map(sync::prepare).filter(Objects::nonNull).toList();
    }

    private static List<String> endpoints(List<HaproxyTask> tasks) {
        return tasks.stream().map(t -> t.endpoint().id()).toList();
    }

    @Test
    void readsBackEveryEndpointItKnowsNothingAbout() {
        List<HaproxyTask> tasks = tasks(addr, route(NEW));
        assertEquals(List.of("haproxy-1", "haproxy-2"), endpoints(tasks));
        assertTrue(tasks.stream().allMatch(HaproxyTask::readBack));
        assertEquals("show servers state redis_mymaster\n", addr.readBackRequest(tasks.get(0)));
    }

    @Test
    void skipsEndpointsKnownToHoldTheRouting() {
        tasks(addr, route(NEW)).forEach(addr::applied);
        assertEquals(List.of(), tasks(addr, route(NEW)), "the same event from another sentinel writes nothing");
    }

    @Test
    void aNewLeaderReadsBackWhatItHeldAsAStandby() {
        tasks(addr, route(NEW)).forEach(addr::applied);
        addr.forget();
        List<HaproxyTask> tasks = tasks(addr, route(NEW));
        assertEquals(2, tasks.size(), "the same routing is not skipped: another relay may have changed the endpoint");
        assertTrue(tasks.stream().allMatch(HaproxyTask::readBack));
        assertEquals(null, addr.holding(tasks.get(0).endpoint(), "mymaster"));
    }

    @Test
    void reconcileReadsBackEvenWhatItKnows() {
        tasks(addr, route(NEW)).forEach(addr::applied);
        List<HaproxyTask> tasks = tasks(addr, reconcile(NEW));
        assertEquals(2, tasks.size());
        assertTrue(tasks.stream().allMatch(HaproxyTask::readBack));
    }

    @Test
    void writesANewMasterWithoutReadingBack() {
        tasks(addr, route(OLD)).forEach(addr::applied);
        List<HaproxyTask> tasks = tasks(addr, route(NEW));
        assertEquals(2, tasks.size());
        assertFalse(tasks.get(0).readBack());
        assertEquals(ADDR_NEW, addr.writeRequest(tasks.get(0)));
    }

    @Test
    void fencingAHeldMasterIsANewRoutingAndSoIsLiftingTheFence() {
        tasks(addr, route(OLD)).forEach(addr::applied);
        List<HaproxyTask> fence = tasks(addr, Routing.fence(event(), OLD, "test"));
        assertEquals(2, fence.size());
        assertEquals("set server redis_mymaster/master state maint; shutdown sessions server redis_mymaster/master\n",
                addr.writeRequest(fence.get(0)));

        fence.forEach(addr::applied);
        assertEquals(List.of(), tasks(addr, Routing.fence(event(), OLD, "again")));
        assertEquals(2, tasks(addr, route(OLD)).size());
    }

    @Test
    void anEndpointReadBackInStepIsHeld() {
        HaproxyTask task = tasks(addr, reconcile(NEW)).get(0);
        assertTrue(addr.observe(task, addrReply(NEW, 0)));
        assertEquals(List.of("haproxy-2"), endpoints(tasks(addr, route(NEW))));
    }

    @Test
    void anEndpointInStepIsRewrittenOnceWithoutCuttingSessions() {
        HaproxyTask task = tasks(addr, reconcile(NEW)).get(0);
        assertEquals(Write.CHECK, addr.afterReadBack(task, addrReply(NEW, 0)).write());
        assertEquals("set server redis_mymaster/master addr 10.0.0.2 port 6379; set server redis_mymaster/master state ready\n",
                addr.writeRequest(task.writing(Write.CHECK)));
        addr.applied(task.writing(Write.CHECK));
        assertEquals(Write.NONE, addr.afterReadBack(task, addrReply(NEW, 0)).write(), "written to once: no more checks");
        assertEquals(Write.FULL, addr.afterReadBack(task, addrReply(OLD, 0)).write(), "drifted");
    }

    @Test
    void anEndpointWrittenByAFailoverNeedsNoWriteCheck() {
        HaproxyTask task = tasks(addr, route(NEW)).get(0);
        addr.applied(task);
        assertEquals(Write.NONE, addr.afterReadBack(task, addrReply(NEW, 0)).write());
    }

    @Test
    void anEndpointReadBackDriftedIsNotHeld() {
        HaproxyTask task = tasks(addr, reconcile(NEW)).get(0);
        assertFalse(addr.observe(task, addrReply(OLD, 0)), "another address");
        assertFalse(addr.observe(task, addrReply(NEW, 1)), "in maintenance");
        List<HaproxyTask> tasks = tasks(addr, route(NEW));
        assertEquals(List.of("haproxy-1", "haproxy-2"), endpoints(tasks));
        assertTrue(tasks.get(0).readBack());
    }

    @Test
    void aDriftFoundAfterAWriteForgetsTheWrite() {
        tasks(addr, route(NEW)).forEach(addr::applied);
        HaproxyTask task = tasks(addr, reconcile(NEW)).get(0);
        assertFalse(addr.observe(task, addrReply(OLD, 0)));
        assertEquals(List.of("haproxy-1"), endpoints(tasks(addr, route(NEW))));
    }

    @Test
    void aFailedUpdateIsDeadLetteredWithItsReason() throws IOException {
        HaproxyTask task = tasks(addr, route(NEW)).get(1);
        Exception failure = new IllegalStateException("Cannot connect to 127.0.0.1:9999");
        new DeadLetters(dir.resolve("data")).store(addr.deadLetter(task, failure));
        addr.failed(task, failure);
        List<String> letters = Files.readAllLines(dir.resolve("data").resolve(DeadLetters.FILE));
        assertEquals(1, letters.size());
        assertTrue(letters.get(0).contains("\"destination\":\"haproxy-2 (tcp:"), letters.get(0));
        assertTrue(letters.get(0).contains("\"master\":\"mymaster\",\"wanted\":\"10.0.0.2:6379\""), letters.get(0));
        assertTrue(letters.get(0).endsWith("\"reason\":\"Cannot connect to 127.0.0.1:9999\"}"), letters.get(0));
    }

    @Test
    void theReasonIsTheFailureNotCamelsWrapperAroundIt() {
        Exception wrapped = new org.apache.camel.RuntimeCamelException("Failed to invoke method: readBack(...)",
                new IllegalStateException("Cannot connect to 127.0.0.1:9999"));
        assertEquals("Cannot connect to 127.0.0.1:9999", HaproxySync.reason(wrapped));
        assertEquals("timeout", HaproxySync.reason(new IllegalStateException("timeout")));
    }

    @Test
    void aFailedEndpointIsReadBackNextTime() {
        List<HaproxyTask> tasks = tasks(addr, route(NEW));
        tasks.forEach(addr::applied);
        addr.failed(tasks.get(0), new IllegalStateException("connection refused"));
        List<HaproxyTask> retry = tasks(addr, route(NEW));
        assertEquals(List.of("haproxy-1"), endpoints(retry));
        assertTrue(retry.get(0).readBack());
    }

    @Test
    void readinessWaitsForEveryEndpoint() {
        health.sentinelsAnswered(3);
        List<HaproxyTask> tasks = tasks(addr, reconcile(NEW));
        addr.applied(tasks.get(0));
        addr.failed(tasks.get(1), new IllegalStateException("connection refused"));
        addr.settled(addr.tasks(reconcile(NEW)).get(0));
        assertFalse(health.ready(), "one endpoint is not in step");

        addr.applied(tasks(addr, route(NEW)).get(0));
        addr.settled(addr.tasks(route(NEW)).get(0));
        assertTrue(health.ready());
    }

    @Test
    void readinessNeedsEveryEndpointToHoldThisRouting() {
        health.sentinelsAnswered(3);
        tasks(addr, route(OLD)).forEach(addr::applied);
        addr.settled(addr.tasks(route(NEW)).get(0));
        assertFalse(health.ready());
    }

    @Test
    void aRelayThatDoesNotWriteIsReadyOnceEveryEndpointWasReadBackInStepOrNot() {
        mayWrite = false;
        health.sentinelsAnswered(3);
        List<HaproxyTask> tasks = tasks(addr, reconcile(NEW));
        assertFalse(addr.observe(tasks.get(0), addrReply(OLD, 0)), "haproxy-1 holds the old master");
        addr.settled(addr.tasks(reconcile(NEW)).get(0));
        assertFalse(health.ready(), "haproxy-2 not read back yet");

        assertTrue(addr.observe(tasks.get(1), addrReply(NEW, 0)));
        addr.settled(addr.tasks(reconcile(NEW)).get(0));
        assertTrue(health.ready(), "it knows what every endpoint holds");
    }

    @Test
    void aRelayThatWritesIsNotReadyWhileAnEndpointReadBackDisagrees() {
        health.sentinelsAnswered(3);
        List<HaproxyTask> tasks = tasks(addr, reconcile(NEW));
        assertFalse(addr.observe(tasks.get(0), addrReply(OLD, 0)));
        assertTrue(addr.observe(tasks.get(1), addrReply(NEW, 0)));
        addr.settled(addr.tasks(reconcile(NEW)).get(0));
        assertFalse(health.ready());
    }

    private HaproxySync state() {
        Map<String, String> p = RelayConfigTest.valid();
        p.put("relay.haproxy.mymaster.mode", "state");
        p.put("relay.haproxy.mymaster.backend", "st");
        return sync(p);
    }

    @Test
    void aModeThatNeedsASnapshotCannotWriteBeforeReadingBack() {
        HaproxySync state = state();
        HaproxyTask task = tasks(state, route(NEW)).get(0);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> state.writeRequest(task));
        assertEquals("nothing read back from haproxy-1 yet", e.getMessage());
    }

    @Test
    void aModeThatNeedsASnapshotReadsBackEvenWhenTheRoutingIsHeld() {
        HaproxySync state = state();
        tasks(state, route(NEW)).forEach(state::applied); // held, but nothing read back
        List<HaproxyTask> tasks = tasks(state, route(NEW));
        assertEquals(2, tasks.size());
        assertTrue(tasks.stream().allMatch(HaproxyTask::readBack));
    }

    @Test
    void stateModeWritesFromTheLastSnapshot() {
        HaproxySync state = state();
        HostPort node1 = new HostPort("127.0.0.1", 6379);
        HostPort node2 = new HostPort("127.0.0.1", 6380);
        for (HaproxyTask task : tasks(state, reconcile(node2))) {
            assertTrue(state.observe(task, STATE_ST));
        }
        List<HaproxyTask> tasks = tasks(state, route(node1));
        assertEquals(2, tasks.size());
        assertFalse(tasks.get(0).readBack());
        assertEquals("set server st/node2 state maint; shutdown sessions server st/node2; set server st/node1 state ready;"
                + " set server st/node1 health up\n", state.writeRequest(tasks.get(0)));
    }

    @Test
    void aFailureForgetsTheSnapshot() {
        HaproxySync state = state();
        HostPort node2 = new HostPort("127.0.0.1", 6380);
        List<HaproxyTask> tasks = tasks(state, reconcile(node2));
        tasks.forEach(t -> state.observe(t, STATE_ST));
        state.failed(tasks.get(1), new IllegalStateException("timeout"));
        List<HaproxyTask> next = tasks(state, route(node2));
        assertEquals(List.of("haproxy-2"), endpoints(next));
        assertTrue(next.get(0).readBack());
    }

    private static final HostPort NODE1 = new HostPort("127.0.0.1", 6379);
    private static final HostPort NODE2 = new HostPort("127.0.0.1", 6380);
    private static final String MAP_SERVERS = serversState(
            server("redis_node1", "node1", "127.0.0.1", 6379, 2, 0),
            server("redis_node2", "node2", "127.0.0.1", 6380, 2, 0));

    private Path mapFile;

    private HaproxySync mapSync() {
        mapFile = dir.resolve("m.map");
        Map<String, String> p = RelayConfigTest.valid();
        p.put("relay.haproxy.endpoints", "tcp:127.0.0.1:9999");
        p.put("relay.haproxy.mymaster.mode", "map");
        p.put("relay.haproxy.mymaster.map-file", mapFile.toString());
        p.put("relay.haproxy.mymaster.backends", "redis_node1,redis_node2");
        p.put("relay.haproxy.mymaster.reject-backend", "redis_reject");
        return sync(p);
    }

    @Test
    void mapModeReadsBackServersAndMap() {
        HaproxySync map = mapSync();
        assertEquals("show servers state; show map " + mapFile + "\n", map.readBackRequest(tasks(map, route(NODE1)).get(0)));
    }

    @Test
    void mapModeInStepWritesTheMapFile() throws IOException {
        HaproxySync map = mapSync();
        HaproxyTask task = tasks(map, reconcile(NODE1)).get(0);
        assertTrue(map.observe(task, MAP_SERVERS + HaproxyReplies.map("mymaster", "redis_node1")));
        assertEquals(List.of("mymaster redis_node1"), Files.readAllLines(mapFile));
    }

    @Test
    void mapModeInStepLeavesTheMapFileAloneWhenTheRelayDoesNotWrite() {
        mayWrite = false;
        HaproxySync map = mapSync();
        HaproxyTask task = tasks(map, reconcile(NODE1)).get(0);
        assertTrue(map.observe(task, MAP_SERVERS + HaproxyReplies.map("mymaster", "redis_node1")));
        assertFalse(Files.exists(mapFile), "an observing relay or a standby writes no map file");
    }

    @Test
    void mapModeSetsTheEntryAndThenKnowsItExists() throws IOException {
        HaproxySync map = mapSync();
        HaproxyTask task = tasks(map, reconcile(NODE2)).get(0);
        assertFalse(map.observe(task, MAP_SERVERS + HaproxyReplies.map("mymaster", "redis_node1")));
        assertEquals("set map " + mapFile + " mymaster redis_node2; shutdown sessions server redis_node1/node1\n",
                map.writeRequest(task));
        map.applied(task);
        assertEquals(List.of("mymaster redis_node2"), Files.readAllLines(mapFile));

        HaproxyTask fence = tasks(map, Routing.fence(event(), NODE2, "test")).get(0);
        assertFalse(fence.readBack());
        assertEquals("set map " + mapFile + " mymaster redis_reject; shutdown sessions server redis_node1/node1;"
                + " shutdown sessions server redis_node2/node2\n", map.writeRequest(fence));
        map.applied(fence);
        assertEquals(List.of("mymaster redis_reject"), Files.readAllLines(mapFile));
    }

    @Test
    void mapModeAddsAMissingEntryOnceAndSetsItAfterwards() {
        HaproxySync map = mapSync();
        HaproxyTask task = tasks(map, reconcile(NODE1)).get(0);
        assertFalse(map.observe(task, MAP_SERVERS + "\n"));
        assertEquals("add map " + mapFile + " mymaster redis_node1; shutdown sessions server redis_node2/node2\n",
                map.writeRequest(task));
        map.applied(task);

        HaproxyTask next = tasks(map, route(NODE2)).get(0);
        assertEquals("set map " + mapFile + " mymaster redis_node2; shutdown sessions server redis_node1/node1\n",
                map.writeRequest(next));
    }
}
