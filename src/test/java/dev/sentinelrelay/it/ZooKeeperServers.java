package dev.sentinelrelay.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;

/**
 * Real ZooKeeper on loopback (Debian's zookeeper package): a standalone server or an ensemble of n nodes, each its
 * own process with the settings of {@code config/zookeeper/loopback.cfg} (tickTime 500 ms, so sessions of 1 s and
 * up), free ports, a data directory and a log ({@code zookeeper-<node>.log}) under the caller's directory, every
 * process stopped by its PID. Nodes are numbered from 1, as their myid.
 */
final class ZooKeeperServers implements AutoCloseable {

    private static final Path CONFIG = Sandbox.HOME.resolve("config/zookeeper/loopback.cfg");
    private static final Path JVM_OPTIONS = Sandbox.HOME.resolve("config/zookeeper/jvm.options");
    private static final Duration QUORUM = Duration.ofSeconds(30);

    /** One server: its ports and files stay the same across a kill and a start. */
    private static final class Node {
        final int id;
        final int clientPort = Sandbox.freePort();
        final int peerPort = Sandbox.freePort();
        final int electionPort = Sandbox.freePort();
        final Path dataDir;
        final Path config;
        final Path log;
        ManagedProcess process;
        /** Stopped on purpose ({@link #kill}): not expected to serve until started again. */
        boolean killed;

        Node(int id, Path dir) {
            this.id = id;
            dataDir = dir.resolve("zookeeper-" + id);
            config = dataDir.resolve("zoo.cfg");
            log = dir.resolve("zookeeper-" + id + ".log");
        }
    }

    private final boolean ensemble;
    private final List<Node> nodes = new ArrayList<>();

    private ZooKeeperServers(Path dir, int size, boolean ensemble) {
        this.ensemble = ensemble;
        for (int id = 1; id <= size; id++) {
            nodes.add(new Node(id, dir));
        }
    }

    /** One standalone server (ZooKeeperServerMain), serving when this returns. */
    static ZooKeeperServers standalone(Path dir) throws IOException {
        return startAll(new ZooKeeperServers(dir, 1, false));
    }

    /** An ensemble of {@code size} nodes (QuorumPeerMain), every one serving when this returns. */
    static ZooKeeperServers ensemble(Path dir, int size) throws IOException {
        return startAll(new ZooKeeperServers(dir, size, true));
    }

    private static ZooKeeperServers startAll(ZooKeeperServers zk) throws IOException {
        try {
            for (Node n : zk.nodes) {
                zk.writeConfig(n);
                zk.launch(n);
            }
            zk.awaitQuorum();
            return zk;
        } catch (RuntimeException | IOException e) {
            zk.close();
            throw e;
        }
    }

    private void writeConfig(Node n) throws IOException {
        Files.createDirectories(n.dataDir);
        StringBuilder cfg = new StringBuilder(Files.readString(CONFIG))
                .append("dataDir=").append(n.dataDir).append('\n')
                .append("clientPort=").append(n.clientPort).append('\n');
        if (ensemble) {
            Files.writeString(n.dataDir.resolve("myid"), n.id + "\n");
            for (Node peer : nodes) {
                cfg.append("server.").append(peer.id).append("=127.0.0.1:").append(peer.peerPort).append(':')
                        .append(peer.electionPort).append('\n');
            }
        }
        Files.writeString(n.config, cfg.toString());
    }

    private void launch(Node n) {
        String main = ensemble ? "org.apache.zookeeper.server.quorum.QuorumPeerMain"
                : "org.apache.zookeeper.server.ZooKeeperServerMain";
        n.process = ManagedProcess.start("zookeeper-" + n.id,
                List.of("java", "@" + JVM_OPTIONS, main, n.config.toString()), n.dataDir, n.log, Map.of());
        n.killed = false;
    }

    /** {@code 127.0.0.1:<port>,...}: every node, as relay.cluster.zookeeper takes it. */
    String connectString() {
        return nodes.stream().map(n -> "127.0.0.1:" + n.clientPort).collect(Collectors.joining(","));
    }

    /** SIGKILL by PID, as in a crash: the node's ports and data stay for {@link #start}. */
    void kill(int node) throws InterruptedException {
        Node n = node(node);
        n.killed = true;
        n.process.kill();
    }

    /** Starts a killed node again on its ports and data; does not wait ({@link #awaitQuorum} does). */
    void start(int node) {
        Node n = node(node);
        if (n.process.alive()) {
            throw new IllegalStateException(n.process + " is running");
        }
        launch(n);
    }

    /** The node's process: its PID, its log, signals (STOP freezes it). */
    ManagedProcess process(int node) {
        return node(node).process;
    }

    /**
     * What the node answers to the four-letter word {@code srvr}: its Mode ({@code standalone}, {@code leader},
     * {@code follower}), or null when it does not serve (down, or an ensemble node without a quorum).
     */
    String mode(int node) {
        try (Socket s = new Socket("127.0.0.1", node(node).clientPort)) {
            s.setSoTimeout(1000);
            OutputStream out = s.getOutputStream();
            out.write("srvr".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> l.startsWith("Mode: ")).map(l -> l.substring("Mode: ".length()))
                    .findFirst().orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    boolean isServing(int node) {
        return mode(node) != null;
    }

    /** Waits until every node not killed on purpose serves; fails at once if one of them exited by itself. */
    void awaitQuorum() {
        List<Node> expected = nodes.stream().filter(n -> !n.killed).toList();
        await("zookeeper nodes " + expected.stream().map(n -> String.valueOf(n.id)).toList() + " serving")
                .atMost(QUORUM).pollInterval(Duration.ofMillis(100))
                .failFast("a zookeeper node exited", () -> expected.stream().anyMatch(n -> !n.process.alive()))
                .until(() -> expected.stream().allMatch(n -> isServing(n.id)));
    }

    private Node node(int node) {
        if (node < 1 || node > nodes.size()) {
            throw new IllegalArgumentException("no zookeeper node " + node + " (1-" + nodes.size() + ")");
        }
        return nodes.get(node - 1);
    }

    /** Stops every node by its PID; the directory (data and logs) is the caller's. */
    @Override
    public void close() {
        nodes.stream().filter(n -> n.process != null).forEach(n -> n.process.stop());
    }
}
