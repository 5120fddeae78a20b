package dev.sentinelrelay.it;

import org.awaitility.core.ConditionTimeoutException;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * A real Redis + Sentinel + HAProxy setup on loopback for one test class: one master and two replicas,
 * three sentinels (quorum 2, down-after-milliseconds 1000), and HAProxy started from the committed
 * {@code config/haproxy/addr.cfg}. Free ports, a temp directory, every process stopped by its PID.
 */
final class Sandbox implements AutoCloseable {

    static final String MASTER = "mymaster";
    static final Path HOME = Path.of(System.getProperty("relay.home", "."));
    private static final Duration SETTLE = Duration.ofSeconds(60);
    private static final Random RANDOM = new Random();
    /** Ports handed out in this JVM: never handed out twice, so two sandboxes in a row cannot collide. */
    private static final Set<Integer> TAKEN = ConcurrentHashMap.newKeySet();

    final Path dir;
    /** requirepass of every Redis server and sentinel; null for none. */
    final String password;
    final List<Integer> redisPorts = new ArrayList<>();
    final List<Integer> sentinelPorts = new ArrayList<>();
    final int frontendPort = freePort();
    final int adminPort = freePort();
    final Path adminSocket;
    private final Map<Integer, ManagedProcess> redis = new LinkedHashMap<>();
    private final Map<Integer, ManagedProcess> sentinels = new LinkedHashMap<>();
    private ManagedProcess haproxy;

    private Sandbox(String password) throws IOException {
        this.password = password;
        dir = Files.createTempDirectory("sentinel-relay-it-");
        adminSocket = dir.resolve("admin.sock");
        for (int i = 0; i < 3; i++) {
            redisPorts.add(freePort());
            sentinelPorts.add(freePort());
        }
    }

    static Sandbox start() throws IOException {
        return start(null);
    }

    /** A sandbox whose servers and sentinels all require {@code password} (null: no AUTH). */
    static Sandbox start(String password) throws IOException {
        Sandbox s = new Sandbox(password);
        try {
            int master = s.redisPorts.get(0);
            for (int port : s.redisPorts) {
                s.startRedis(port, port == master ? null : master);
            }
            await("replicas in sync").atMost(SETTLE).until(() -> s.redisPorts.stream().skip(1)
                    .allMatch(p -> s.info(p, "replication").contains("master_link_status:up")));
            for (int port : s.sentinelPorts) {
                s.writeSentinelConfig(port, master);
                s.startSentinel(port);
            }
            s.awaitSentinelsSettled();
            s.startHaproxy(master);
            return s;
        } catch (RuntimeException | IOException e) {
            s.close();
            throw e;
        }
    }

    // ---- Redis ---------------------------------------------------------------------------------------

    void startRedis(int port, Integer replicaOf) {
        List<String> cmd = new ArrayList<>(List.of("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--dbfilename", "dump-" + port + ".rdb"));
        if (replicaOf != null) {
            cmd.addAll(List.of("--replicaof", "127.0.0.1", String.valueOf(replicaOf)));
        }
        if (password != null) {
            cmd.addAll(List.of("--requirepass", password, "--masterauth", password));
        }
        redis.put(port, ManagedProcess.start("redis-" + port, cmd, dir, dir.resolve("redis-" + port + ".log"), Map.of()));
        await("redis " + port + " up").atMost(SETTLE).ignoreExceptions().until(() -> ping(port));
    }

    ManagedProcess redisProcess(int port) {
        return redis.get(port);
    }

    // ---- Sentinel ------------------------------------------------------------------------------------

    private void writeSentinelConfig(int port, int master) throws IOException {
        Files.writeString(dir.resolve("sentinel-" + port + ".conf"), String.join("\n",
                "port " + port,
                "bind 127.0.0.1",
                "dir " + dir,
                "sentinel monitor " + MASTER + " 127.0.0.1 " + master + " 2",
                "sentinel down-after-milliseconds " + MASTER + " 1000",
                "sentinel failover-timeout " + MASTER + " 10000",
                "sentinel parallel-syncs " + MASTER + " 1",
                password == null ? "" : String.join("\n",
                        "requirepass " + password,
                        "sentinel auth-pass " + MASTER + " " + password,
                        "sentinel sentinel-pass " + password),
                ""));
    }

    void startSentinel(int port) {
        sentinels.put(port, ManagedProcess.start("sentinel-" + port,
                List.of("redis-sentinel", dir.resolve("sentinel-" + port + ".conf").toString()),
                dir, dir.resolve("sentinel-" + port + ".log"), Map.of()));
        await("sentinel " + port + " up").atMost(SETTLE).ignoreExceptions().until(() -> ping(port));
    }

    void stopSentinel(int port) {
        sentinels.get(port).stop();
    }

    /** Every sentinel knows both replicas and both other sentinels, so a failover can start at once. */
    void awaitSentinelsSettled() {
        try {
            await("sentinels settled").atMost(SETTLE).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() ->
                    sentinelPorts.stream().allMatch(p -> {
                        try (Jedis j = jedis(p)) {
                            return healthyReplicas(j) == 2 && j.sentinelSentinels(MASTER).size() == 2;
                        }
                    }));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("sentinels did not settle within " + SETTLE + "; what each one sees:\n"
                    + sentinelViews(), e);
        }
    }

    /** Each sentinel's replicas and peers with their flags, and the tail of its log: why a sandbox did not settle. */
    private String sentinelViews() {
        StringBuilder out = new StringBuilder();
        for (int p : sentinelPorts) {
            out.append("sentinel ").append(p).append(": ");
            try (Jedis j = jedis(p)) {
                out.append("replicas ").append(j.sentinelReplicas(MASTER)).append(" sentinels ")
                        .append(j.sentinelSentinels(MASTER));
            } catch (RuntimeException e) {
                out.append("unreachable (").append(e.getMessage()).append(')');
            }
            out.append('\n').append(tail(dir.resolve("sentinel-" + p + ".log"), 15));
        }
        return out.toString();
    }

    private static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size())) + "\n";
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")\n";
        }
    }

    private static long healthyReplicas(Jedis sentinel) {
        return sentinel.sentinelReplicas(MASTER).stream()
                .filter(r -> !r.get("flags").contains("down") && !r.get("flags").contains("disconnected")
                        && "0".equals(r.getOrDefault("master-link-down-time", "0")))
                .count();
    }

    /** The master a majority of the sentinels names now. */
    int sentinelMasterPort() {
        Map<Integer, Integer> votes = new HashMap<>();
        for (int p : sentinelPorts) {
            try (Jedis j = jedis(p)) {
                List<String> addr = j.sentinelGetMasterAddrByName(MASTER);
                votes.merge(Integer.parseInt(addr.get(1)), 1, Integer::sum);
            } catch (RuntimeException e) {
                // an unreachable sentinel does not vote
            }
        }
        return votes.entrySet().stream().filter(e -> e.getValue() >= 2).map(Map.Entry::getKey).findFirst().orElse(-1);
    }

    /** The master one sentinel names. */
    int sentinelMasterPortOf(int sentinelPort) {
        try (Jedis j = jedis(sentinelPort)) {
            return Integer.parseInt(j.sentinelGetMasterAddrByName(MASTER).get(1));
        }
    }

    /** Runs SENTINEL FAILOVER and waits until a majority names a new master; returns its port. */
    int failover() {
        int before = sentinelMasterPort();
        await("SENTINEL FAILOVER accepted").atMost(SETTLE).pollInterval(Duration.ofMillis(500)).until(() -> {
            try (Jedis j = jedis(sentinelPorts.get(0))) {
                j.sentinelFailover(MASTER);
                return true;
            } catch (JedisDataException e) { // INPROG or NOGOODSLAVE right after a previous failover
                return false;
            }
        });
        return awaitNewMaster(before);
    }

    int awaitNewMaster(int before) {
        await("sentinels name a new master").atMost(SETTLE).pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    int now = sentinelMasterPort();
                    return now != before && now != -1;
                });
        return sentinelMasterPort();
    }

    // ---- HAProxy -------------------------------------------------------------------------------------

    private void startHaproxy(int master) {
        Path cfg = HOME.resolve("config/haproxy/addr.cfg");
        Map<String, String> env = Map.of(
                "FRONTEND_ADDR", "127.0.0.1:" + frontendPort,
                "ADMIN_SOCKET", adminSocket.toString(),
                "ADMIN_ADDR", "127.0.0.1:" + adminPort,
                "INITIAL_MASTER", "127.0.0.1:" + master);
        ManagedProcess check = ManagedProcess.start("haproxy -c", List.of("haproxy", "-c", "-f", cfg.toString()),
                dir, dir.resolve("haproxy-check.log"), env);
        try {
            if (check.awaitExit(30) != 0) {
                throw new IllegalStateException("haproxy -c rejected " + cfg + ": " + check.logText());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        haproxy = ManagedProcess.start("haproxy", List.of("haproxy", "-db", "-f", cfg.toString()),
                dir, dir.resolve("haproxy.log"), env);
        await("haproxy up").atMost(SETTLE).ignoreExceptions().until(() -> haproxyCommand("show info").contains("Name: HAProxy"));
    }

    /** Restarts HAProxy from its configuration file, losing every runtime change. */
    void restartHaproxy(int initialMaster) {
        haproxy.stop();
        startHaproxy(initialMaster);
    }

    /** One runtime API command over the TCP admin socket; returns the whole reply. */
    String haproxyCommand(String command) throws IOException {
        try (Socket s = new Socket("127.0.0.1", adminPort)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write((command + "\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The port of the server HAProxy's entry points at now, read back over the runtime API. */
    int haproxyServerPort() throws IOException {
        String reply = haproxyCommand("show servers state redis_" + MASTER);
        return reply.lines().filter(l -> l.matches("\\d+ redis_" + MASTER + " .*"))
                .map(l -> Integer.parseInt(l.split(" ")[18])).findFirst().orElseThrow();
    }

    /** Opens a new client connection through HAProxy and returns the port of the Redis server it reached. */
    int portBehindFrontend() {
        try (Jedis j = clientThroughFrontend()) {
            return tcpPort(j);
        }
    }

    /** Waits until a new connection through HAProxy reaches {@code master} and a write there succeeds. */
    void awaitClientsReach(int master) {
        await("new connections through HAProxy reach " + master).atMost(SETTLE).pollInterval(Duration.ofMillis(20))
                .ignoreExceptions()
                .until(() -> {
                    try (Jedis j = clientThroughFrontend()) {
                        return tcpPort(j) == master && "OK".equals(j.set("k", "v"));
                    }
                });
    }

    Jedis clientThroughFrontend() {
        return jedis(frontendPort);
    }

    static int tcpPort(Jedis j) {
        return j.info("server").lines().filter(l -> l.startsWith("tcp_port:"))
                .map(l -> Integer.parseInt(l.substring("tcp_port:".length()).strip())).findFirst().orElseThrow();
    }

    // ---- Relay configuration -------------------------------------------------------------------------

    Path writeRelayConfig(int apiPort, Map<String, String> overrides) throws IOException {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("relay.sentinels", String.join(",", sentinelPorts.stream().map(p -> "127.0.0.1:" + p).toList()));
        props.put("relay.masters", MASTER);
        props.put("relay.haproxy.endpoints", "unix:" + adminSocket);
        props.put("relay.haproxy." + MASTER + ".backend", "redis_" + MASTER);
        props.put("relay.haproxy." + MASTER + ".server", "master");
        props.put("relay.reconcile.interval", "2s");
        props.put("relay.api.port", String.valueOf(apiPort));
        props.putAll(overrides);
        Path file = dir.resolve("relay-" + apiPort + ".properties");
        StringBuilder text = new StringBuilder();
        props.forEach((k, v) -> text.append(k).append(" = ").append(v).append('\n'));
        Files.writeString(file, text.toString());
        return file;
    }

    // ---- helpers -------------------------------------------------------------------------------------

    Jedis jedis(int port) {
        return new Jedis(new HostAndPort("127.0.0.1", port),
                DefaultJedisClientConfig.builder().timeoutMillis(1000).password(password).build());
    }

    boolean ping(int port) {
        try (Jedis j = jedis(port)) {
            return "PONG".equals(j.ping());
        }
    }

    /** What the server answers to ROLE: master, slave or sentinel; "down" when it does not answer. */
    String role(int port) {
        try (Jedis j = jedis(port)) {
            return String.valueOf(j.role().get(0));
        } catch (RuntimeException e) {
            return "down";
        }
    }

    /** The most channels any client of this server is subscribed to (CLIENT LIST's sub= field). */
    int subscriptionsOf(int port) {
        try (Jedis j = jedis(port)) {
            return j.clientList().lines()
                    .flatMap(l -> Stream.of(l.split(" ")))
                    .filter(f -> f.startsWith("sub="))
                    .mapToInt(f -> Integer.parseInt(f.substring(4)))
                    .max().orElse(0);
        }
    }

    String info(int port, String section) {
        try (Jedis j = jedis(port)) {
            return j.info(section);
        }
    }

    /**
     * A port free now, below the kernel's ephemeral range (32768+), so outgoing connections made while the
     * sandbox starts (replication, sentinel links) cannot take it before the server that owns it binds it.
     */
    static int freePort() {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = 20000 + RANDOM.nextInt(12000);
            if (TAKEN.add(port)) {
                try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                    return s.getLocalPort();
                } catch (IOException busy) {
                    // in use: try another
                }
            }
        }
        throw new IllegalStateException("no free port found in 20000-31999");
    }

    @Override
    public void close() {
        if (haproxy != null) {
            haproxy.stop();
        }
        sentinels.values().forEach(ManagedProcess::stop);
        redis.values().forEach(ManagedProcess::stop);
        keepLogsAndDelete(dir);
    }

    /** Copies the logs to target/it-logs (for a failed CI run) and deletes the temp directory. */
    static void keepLogsAndDelete(Path dir) {
        Path logs = HOME.resolve("target/it-logs").resolve(dir.getFileName());
        try (Stream<Path> files = Files.walk(dir)) {
            Files.createDirectories(logs);
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                if (f.toString().endsWith(".log")) {
                    Files.copy(f, logs.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            // a leftover temp directory is harmless
        }
    }
}
