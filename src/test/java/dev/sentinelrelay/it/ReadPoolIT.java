package dev.sentinelrelay.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.StreamSupport;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The read pool (issue 14), HAProxy started from config/haproxy/read-write.cfg: its read backend lists every node,
 * round-robin, plain TCP check, and the relay keeps in it only the replicas a sentinel majority finds healthy, linked
 * and not lagging, and the master by default or when no replica qualifies. Each test starts its own sandbox (one
 * master, two replicas, three sentinels) and relay, because each freezes, unlinks or fails over nodes; it asserts the
 * admin states HAProxy holds for the read backend and which nodes answer reads through the read frontend.
 */
class ReadPoolIT {

    private static final String KEY = "read-pool-it";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** srv_admin_state of a server put in drain through the runtime API. */
    private static final int DRAIN = 0x08;
    /**
     * Generous bound for the pool to follow a change: the sentinels read a replica's INFO every 10 s (its link status
     * and offset), flag it down after 1 s without PING replies, and the relay reconciles every 2 s.
     */
    private static final Duration FOLLOW = Duration.ofSeconds(60);
    /** Enough reads on new connections for round-robin to reach every node of the pool several times. */
    private static final int READS = 24;

    private Sandbox sandbox;
    private Relay relay;
    private int master;
    private int replica1;
    private int replica2;
    /** Redis servers a test froze with SIGSTOP and has not resumed: resumed at the end so that they stop at once. */
    private final List<ManagedProcess> frozen = new ArrayList<>();

    private void start(Map<String, String> relayOverrides) throws IOException {
        sandbox = Sandbox.start(null, HaproxyMode.READ_WRITE);
        master = sandbox.redisPorts.get(0);
        replica1 = sandbox.redisPorts.get(1);
        replica2 = sandbox.redisPorts.get(2);
        try (Jedis j = sandbox.jedis(master)) {
            j.set(KEY, "v");
        }
        relay = Relay.start(sandbox, relayOverrides);
    }

    /** Default settings (read-include-master=true): once started, the master and both replicas serve reads. */
    private void startWithEveryNodeServing(Map<String, String> relayOverrides) throws IOException {
        start(relayOverrides);
        awaitPool("every node serves reads", Set.of(master, replica1, replica2));
    }

    @AfterEach
    void stopRelayAndSandbox() throws Exception {
        for (ManagedProcess p : frozen) {
            p.signal("CONT");
        }
        frozen.clear();
        if (relay != null) {
            relay.close();
        }
        if (sandbox != null) {
            sandbox.close();
        }
    }

    @Test
    void frozenReplicaLeavesWhileSentinelsFlagItDownAndReturnsWhenItResumes() throws Exception {
        startWithEveryNodeServing(Map.of());

        freeze(replica1);
        awaitPool("the frozen replica leaves", Set.of(master, replica2));
        assertTrue(sandbox.sentinelsFlagging(replica1, "s_down") >= 2, "a sentinel majority flags it down");
        // a read reaching the frozen node would time out: every one is answered, by the pool's nodes only
        assertEquals(Set.of(master, replica2), nodesAnsweringReads());

        resume(replica1);
        awaitPoolServingReads("the resumed replica returns", Set.of(master, replica1, replica2));
    }

    /** With read-drain=true: the replica is drained, not put in maintenance; the API says why it is out. */
    @Test
    void replicaWithBrokenLinkLeavesAndReturnsWhenRepaired() throws Exception {
        startWithEveryNodeServing(Map.of("relay.haproxy.mymaster.read-drain", "true"));

        sandbox.breakReplicaLink(replica1);
        awaitPoolServingReads("the unlinked replica leaves", Set.of(master, replica2));
        assertTrue(sandbox.ping(replica1), "it is out for its link alone: it still answers");
        assertEquals(DRAIN, sandbox.readServers().get(replica1).adminState(), "drained, not in maintenance");
        JsonNode pool = JSON.readTree(OperatorApiIT.get(relay, "/api/topology", null).body()).at("/masters/0/readPool");
        JsonNode node = StreamSupport.stream(pool.get("nodes").spliterator(), false)
                .filter(n -> n.get("address").asText().endsWith(":" + replica1)).findFirst().orElseThrow();
        assertFalse(node.get("in").asBoolean(), pool.toString());
        // the master stops listing it online before the sentinels' next INFO shows the link down
        assertTrue(node.get("reason").asText().matches(".*(master link err|the master does not list it online).*"),
                pool.toString());
        assertEquals(2, pool.at("/endpoints/haproxy-1/size").asInt(), pool.toString());

        sandbox.repairReplicaLink(replica1);
        awaitPoolServingReads("the relinked replica returns", Set.of(master, replica1, replica2));
    }

    @Test
    void replicaLaggingPastMaxLagLeavesAndReturnsWhenItCatchesUp() throws Exception {
        startWithEveryNodeServing(Map.of("relay.haproxy.mymaster.read-max-lag", "64kB"));

        sandbox.pauseReplicaAcks(replica1);
        writeBurst(256 * 1024);
        long lag = sandbox.replicaLagBytes(master, replica1);
        assertTrue(lag > 64 * 1024, "the master sees it behind by more than read-max-lag: " + lag);
        awaitPoolServingReads("the lagging replica leaves", Set.of(master, replica2));
        assertTrue(sandbox.sentinelsSeeingHealthy(replica1) >= 2,
                "it is out for its lag alone: a sentinel majority still finds it healthy");

        sandbox.resumeReplicaAcks(replica1);
        awaitPool("the replica that caught up returns", Set.of(master, replica1, replica2));
    }

    /**
     * With read-include-master=false: the promoted replica leaves the pool, and the old master joins only once it is
     * a replica of the new master with its link up. Reads through the read frontend keep succeeding throughout: a
     * probe reads 20 times a second, each read a GET of a known key on a new connection, and every read must return
     * the value within {@link ReadProbe#ATTEMPTS} attempts (each on a new connection). Why attempts and not one:
     * a node leaving the pool has its sessions shut down, so a read whose connection was opened to it just before
     * can be cut; the next connection goes to the pool as it is then, which the relay never empties (ins before outs).
     */
    @Test
    void failoverMovesThePromotedReplicaOutAndTheOldMasterInOnceResynced() throws Exception {
        start(Map.of("relay.haproxy.mymaster.read-include-master", "false"));
        int oldMaster = master;
        awaitPool("the replicas serve reads, the master does not", Set.of(replica1, replica2));

        List<String> joinedEarly = new ArrayList<>();
        try (ReadProbe probe = ReadProbe.start(sandbox)) {
            int newMaster = sandbox.failover();
            int otherReplica = newMaster == replica1 ? replica2 : replica1;
            Set<Integer> settled = Set.of(oldMaster, otherReplica);
            // sampled while the pool changes: whenever the old master is in it, it must be a synced replica already
            awaitPool("the promoted replica out, the old master in", () -> {
                Set<Integer> pool = sandbox.readPool();
                if (pool.contains(oldMaster) && !linkedReplicaOf(oldMaster, newMaster)) {
                    joinedEarly.add(pool + " while the old master's replication said: "
                            + sandbox.info(oldMaster, "replication").lines().filter(l -> l.startsWith("role")
                            || l.startsWith("master_port") || l.startsWith("master_link_status")).toList());
                }
                return pool;
            }, settled);
            assertTrue(joinedEarly.isEmpty(), "the old master joined the pool before it resynced: " + joinedEarly);
            sandbox.awaitClientsReach(newMaster); // and the write frontend (state mode) followed the failover
            assertEquals(settled, nodesAnsweringReads());
            probe.close();
            assertTrue(probe.reads() >= 20, "too few reads to prove anything: " + probe.reads());
            assertEquals(List.of(), probe.failedReads(), probe.reads() + " reads, " + probe.failedAttempts()
                    + " failed attempts; " + relay.tail());
        }
    }

    @Test
    void masterServesReadsWhenEveryReplicaIsDownEvenWithoutIncludeMaster() throws Exception {
        start(Map.of("relay.haproxy.mymaster.read-include-master", "false"));
        awaitPool("the replicas serve reads, the master does not", Set.of(replica1, replica2));

        freeze(replica1);
        freeze(replica2);
        awaitPoolServingReads("the master alone serves reads", Set.of(master));

        resume(replica1);
        resume(replica2);
        awaitPool("the master leaves once replicas qualify again", Set.of(replica1, replica2));
    }

    // ---- helpers ---------------------------------------------------------------------------------------

    private void awaitPool(String why, Set<Integer> expected) {
        awaitPool(why, sandbox::readPool, expected);
    }

    /** The pool becomes {@code expected}, and reads through the read frontend reach exactly its nodes. */
    private void awaitPoolServingReads(String why, Set<Integer> expected) throws Exception {
        awaitPool(why, expected);
        assertEquals(expected, nodesAnsweringReads(), why);
    }

    /** Waits until the read backend's serving servers are {@code expected}; on timeout, says what they were. */
    private void awaitPool(String why, Callable<Set<Integer>> pool, Set<Integer> expected) {
        try {
            await(why).atMost(FOLLOW).pollInterval(Duration.ofMillis(50)).until(pool, expected::equals);
        } catch (ConditionTimeoutException e) {
            String now;
            try {
                now = sandbox.readServers().toString();
            } catch (IOException io) {
                now = "(runtime API: " + io.getMessage() + ")";
            }
            throw new AssertionError(why + ": read pool not " + expected + " within " + FOLLOW + "; HAProxy holds " + now
                    + "\nmaster " + master + ", replicas " + replica1 + ", " + replica2 + "\nrelay log:\n" + relay.tail(), e);
        }
    }

    /** The nodes that answered {@link #READS} reads through the read frontend, each on a new connection. */
    private Set<Integer> nodesAnsweringReads() {
        Set<Integer> nodes = new HashSet<>();
        for (int i = 0; i < READS; i++) {
            nodes.add(sandbox.portBehindReadFrontend());
        }
        return nodes;
    }

    private boolean linkedReplicaOf(int node, int ofMaster) {
        String replication = sandbox.info(node, "replication");
        return replication.contains("role:slave") && replication.contains("master_port:" + ofMaster + "\r")
                && replication.contains("master_link_status:up");
    }

    /** Writes {@code bytes} of values to the master in one pipeline. */
    private void writeBurst(int bytes) {
        String value = "x".repeat(1024);
        try (Jedis j = sandbox.jedis(master)) {
            Pipeline p = j.pipelined();
            for (int i = 0; i < bytes / value.length(); i++) {
                p.set("burst:" + i, value);
            }
            p.sync();
        }
    }

    private void freeze(int port) throws IOException, InterruptedException {
        ManagedProcess p = sandbox.redisProcess(port);
        p.signal("STOP");
        frozen.add(p);
    }

    private void resume(int port) throws IOException, InterruptedException {
        ManagedProcess p = sandbox.redisProcess(port);
        p.signal("CONT");
        frozen.remove(p);
    }

    /** Reads {@link #KEY} through the read frontend in the background, 20 reads a second, each on new connections. */
    private static final class ReadProbe implements AutoCloseable {

        static final int ATTEMPTS = 3;
        private static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

        private final Sandbox sandbox;
        private final Thread thread;
        private volatile boolean running = true;
        private int reads;
        private int failedAttempts;
        /** Per failed read: the error of each attempt. */
        private final List<List<String>> failedReads = new ArrayList<>();

        private ReadProbe(Sandbox sandbox) {
            this.sandbox = sandbox;
            this.thread = new Thread(this::run, "read-probe");
            thread.setDaemon(true);
        }

        static ReadProbe start(Sandbox sandbox) {
            ReadProbe probe = new ReadProbe(sandbox);
            probe.thread.start();
            return probe;
        }

        private void run() {
            long next = System.nanoTime();
            while (running) {
                read();
                next += PERIOD_NANOS; // an absolute pace: a slow read is not followed by a burst of catching up
                long wait;
                while (running && (wait = next - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(this, wait);
                }
                next = Math.max(next, System.nanoTime());
            }
        }

        private void read() {
            List<String> errors = new ArrayList<>();
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                try (Jedis j = sandbox.clientThroughReadFrontend()) {
                    String value = j.get(KEY);
                    if ("v".equals(value)) {
                        break;
                    }
                    errors.add("got " + value);
                } catch (RuntimeException e) {
                    errors.add(e.toString());
                }
            }
            synchronized (this) {
                reads++;
                failedAttempts += errors.size();
                if (errors.size() == ATTEMPTS) {
                    failedReads.add(errors);
                }
            }
        }

        synchronized int reads() {
            return reads;
        }

        synchronized int failedAttempts() {
            return failedAttempts;
        }

        synchronized List<List<String>> failedReads() {
            return List.copyOf(failedReads);
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }
    }
}
