package dev.sentinelrelay.it;

import dev.sentinelrelay.destinations.haproxy.ServerState;
import dev.sentinelrelay.tls.PemTls;
import dev.sentinelrelay.tls.TestCertificates;
import org.awaitility.core.ConditionTimeoutException;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.args.ClientType;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.params.ClientKillParams;
import redis.clients.jedis.exceptions.JedisDataException;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * A real Redis + Sentinel + HAProxy setup on loopback for one test class: one master and two replicas,
 * three sentinels (quorum 2), every server configured from the sandbox definition ({@link SandboxDefinition}), and
 * HAProxy started from the committed config of one {@link HaproxyMode} under {@code config/haproxy/} (addr.cfg unless
 * told), checked with {@code haproxy -c} first. More HAProxy instances from the same config can be added
 * ({@link #addHaproxy()}); methods without an instance number mean instance 1. Free ports, a temp directory, every
 * process stopped by its PID.
 * <p>
 * A TLS sandbox ({@link #startTls}) runs every Redis server and sentinel on a {@code tls-port} only
 * (config/sandbox/listen-tls.conf) with certificates made for it ({@link #certs}),
 * HAProxy talking TLS to the servers (its frontend stays plain TCP) and relay configurations with the TLS keys.
 */
final class Sandbox implements AutoCloseable {

    static final String MASTER = "mymaster";
    /** The second master of a two-master sandbox ({@link #startTwoMasters()}): two nodes of its own. */
    static final String OTHER = "othermaster";
    static final Path HOME = Path.of(System.getProperty("relay.home", "."));
    private static final Duration SETTLE = Duration.ofSeconds(60);
    /** Longer than the sandbox's failover-timeout (10 s), after which Sentinel has given an asked failover up. */
    private static final Duration FAILOVER_ATTEMPT = Duration.ofSeconds(20);
    private static final int FAILOVER_TRIES = 3;
    /**
     * Sentinel's INFO and hello periods (SENTINEL DEBUG, in ms): how soon it learns of replicas, of their links and
     * of the other sentinels. Shortened only while the sandbox settles ({@link #awaitSentinelsSettled()}): a settle
     * takes ~1 s instead of up to 10. What the tests exercise (failovers, how long a returning old master goes
     * unnoticed) runs on the defaults.
     */
    private static final Map<String, String> FAST_DISCOVERY = Map.of("info-period", "1000", "publish-period", "500");
    private static final Map<String, String> DEFAULT_DISCOVERY = Map.of("info-period", "10000", "publish-period", "2000");
    private static final Random RANDOM = new Random();
    /** Ports handed out in this JVM: never handed out twice, so two sandboxes in a row cannot collide. */
    private static final Set<Integer> TAKEN = ConcurrentHashMap.newKeySet();

    final Path dir;
    /**
     * The masters' names in Sentinel and in the relay's configuration: {@link #MASTER} and {@link #OTHER} unless
     * told ({@link #startTwoMasters(String, String)}). The first master's backend keeps its name from the committed
     * config (redis_mymaster); the other master's frontend and backend are named redis_&lt;otherName&gt;.
     */
    final String masterName;
    final String otherName;
    /** requirepass of every Redis server and sentinel; null for none. */
    final String password;
    /** The certificates of a TLS sandbox; null for plain TCP. */
    final TestCertificates certs;
    /** What the sentinels of a TLS sandbox present ({@link #restartSentinelsPresenting}). */
    private TestCertificates.Pair sentinelCertificate;
    /** The test's own TLS client: any server certificate accepted (a test may give a server a bad one). */
    private final SSLSocketFactory testClientTls;
    final List<Integer> redisPorts = new ArrayList<>();
    final List<Integer> sentinelPorts = new ArrayList<>();
    /** The other master's nodes, its first master first; empty unless two masters. */
    final List<Integer> otherPorts = new ArrayList<>();
    /** The other master's frontend on HAProxy instance 1; 0 unless two masters. */
    int otherFrontendPort;
    /** An extra HAProxy config file (-f) with the other master's frontend and backend; null unless two masters. */
    private Path otherConfig;
    /**
     * bench/tcp-check-recipe.cfg instead of the mode's config ({@link #startTcpCheckRecipe()}), with an extra config
     * file (-f) that adds the runtime API sockets the recipe lacks; null otherwise.
     */
    private Path recipeSockets;
    final HaproxyMode mode;
    /** Instance 1's frontend, admin port and admin socket (see the per-instance methods for the others). */
    final int frontendPort = freePort();
    final int adminPort = freePort();
    final Path adminSocket;
    private final Map<Integer, ManagedProcess> redis = new LinkedHashMap<>();
    private final Map<Integer, ManagedProcess> sentinels = new LinkedHashMap<>();
    /** Every HAProxy of the sandbox; instance i (1-based) is at index i - 1. */
    private final List<Haproxy> haproxies = new ArrayList<>();
    /** Old HAProxy processes of reloads, stopped on close if still running. */
    private final List<ManagedProcess> reloadedHaproxies = new ArrayList<>();

    private Sandbox(String password, HaproxyMode mode, String masterName, String otherName) throws IOException {
        this(password, mode, masterName, otherName, false);
    }

    private Sandbox(String password, HaproxyMode mode, String masterName, String otherName, boolean tls)
            throws IOException {
        this.password = password;
        this.mode = mode;
        this.masterName = masterName;
        this.otherName = otherName;
        dir = Files.createTempDirectory("sentinel-relay-it-");
        adminSocket = dir.resolve("admin.sock");
        certs = tls ? TestCertificates.create(Files.createDirectory(dir.resolve("certs"))) : null;
        sentinelCertificate = tls ? certs.server : null;
        testClientTls = tls ? trustingClient(certs.client) : null;
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
        return start(password, HaproxyMode.ADDR);
    }

    /** Likewise, with HAProxy started from the {@code mode}'s config; node 1 is the first master. */
    static Sandbox start(String password, HaproxyMode mode) throws IOException {
        return startAll(new Sandbox(password, mode, MASTER, OTHER));
    }

    /** A TLS sandbox (see the class comment) with HAProxy started from the {@code mode}'s config. */
    static Sandbox startTls(HaproxyMode mode) throws IOException {
        return startAll(new Sandbox(null, mode, MASTER, OTHER, true));
    }

    /**
     * A sandbox whose HAProxy runs the tcp-check recipe (bench/tcp-check-recipe.cfg, as it is) without the relay: the
     * health checks alone pick the master among every node of backend {@code redis_recipe}. A relay reads it as in
     * state mode ({@link #writeRelayConfig}); the runtime API sockets come from an extra config file.
     */
    static Sandbox startTcpCheckRecipe() throws IOException {
        Sandbox s = new Sandbox(null, HaproxyMode.STATE, MASTER, OTHER);
        s.recipeSockets = s.dir.resolve("recipe-sockets.cfg");
        Files.writeString(s.recipeSockets, String.join("\n",
                "global",
                "    stats socket \"${ADMIN_SOCKET}\" mode 600 level admin",
                "    stats socket \"ipv4@${ADMIN_ADDR}\" level admin", ""));
        return startAll(s);
    }

    /** The backend holding the master's nodes: the config's redis_mymaster, or the recipe's redis_recipe. */
    String backend() {
        return recipeSockets != null ? "redis_recipe" : "redis_" + MASTER;
    }

    /**
     * A sandbox following two masters with the same sentinels: mymaster on three nodes as usual, and othermaster on
     * two more, with its own frontend and backend on HAProxy (addr mode, from an extra config file).
     */
    static Sandbox startTwoMasters() throws IOException {
        return startTwoMasters(MASTER, OTHER);
    }

    /** Likewise, the masters named {@code master} and {@code other} in Sentinel and in the relay's configuration. */
    static Sandbox startTwoMasters(String master, String other) throws IOException {
        Sandbox s = new Sandbox(null, HaproxyMode.ADDR, master, other);
        s.otherPorts.addAll(List.of(freePort(), freePort()));
        s.otherFrontendPort = freePort();
        s.otherConfig = s.dir.resolve("othermaster.cfg");
        // a master more on HAProxy as the sandbox definition says (config/sandbox/README.md): addr.cfg's frontend and
        // backend, renamed; its own environment names, as both masters' sections share one process
        String addr = Files.readString(HaproxyMode.ADDR.config());
        Files.writeString(s.otherConfig, addr.substring(addr.indexOf("\nfrontend ") + 1)
                .replace("redis_" + MASTER, "redis_" + other)
                .replace("${FRONTEND_ADDR}", "${FRONTEND2_ADDR}").replace("${INITIAL_MASTER}", "${INITIAL_MASTER2}"));
        return startAll(s);
    }

    private static Sandbox startAll(Sandbox s) throws IOException {
        try {
            int master = s.redisPorts.get(0);
            for (int port : s.redisPorts) {
                s.startRedis(port, port == master ? null : master);
            }
            for (int port : s.otherPorts) {
                s.startRedis(port, port == s.otherPorts.get(0) ? null : s.otherPorts.get(0));
            }
            await("replicas in sync").atMost(SETTLE).until(() -> Stream.concat(s.redisPorts.stream().skip(1),
                            s.otherPorts.stream().skip(1))
                    .allMatch(p -> s.info(p, "replication").contains("master_link_status:up")));
            for (int port : s.sentinelPorts) {
                s.writeSentinelConfig(port, master);
                s.startSentinel(port);
            }
            s.awaitSentinelsSettled();
            s.launchNew(s.frontendPort, s.adminPort, s.adminSocket, master);
            return s;
        } catch (RuntimeException | IOException e) {
            s.close();
            throw e;
        }
    }

    // ---- Redis ---------------------------------------------------------------------------------------

    /**
     * Starts the Redis server on {@code port} as the sandbox definition says, its configuration on stdin (see
     * config/sandbox/README.md), a replica of {@code replicaOf} unless null.
     */
    void startRedis(int port, Integer replicaOf) {
        Path conf = dir.resolve("redis-" + port + ".conf");
        try {
            Files.writeString(conf, serverConfig(port, certs == null ? null : certs.server,
                    password == null ? new String[]{"redis.conf"} : new String[]{"redis.conf", "redis-auth.conf"}));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> cmd = new ArrayList<>(List.of("redis-server", "-"));
        if (replicaOf != null) {
            cmd.addAll(List.of("--replicaof", "127.0.0.1", String.valueOf(replicaOf)));
        }
        redis.put(port, ManagedProcess.start("redis-" + port, cmd, dir, dir.resolve("redis-" + port + ".log"), Map.of(),
                ProcessBuilder.Redirect.from(conf.toFile())));
        await("redis " + port + " up").atMost(SETTLE).ignoreExceptions().until(() -> ping(port));
    }

    ManagedProcess redisProcess(int port) {
        return redis.get(port);
    }

    /**
     * Breaks a replica's link to its master until {@link #repairReplicaLink}: the link is cut and every reconnection
     * fails at AUTH (a user the master does not have). The replica keeps naming its master, so the sentinels leave
     * it alone and report master-link-status err for as long as it lasts; after REPLICAOF to a dead address they
     * would point it back at the master (+fix-slave-config, ~10 s after noticing).
     */
    void breakReplicaLink(int replica) {
        try (Jedis j = jedis(replica)) {
            j.configSet("masteruser", "sentinel-relay-it-no-such-user");
            j.configSet("masterauth", "wrong");
            j.clientKill(ClientKillParams.clientKillParams().type(ClientType.MASTER));
        }
    }

    /** Undoes {@link #breakReplicaLink}: the replica authenticates as before and reconnects within a second. */
    void repairReplicaLink(int replica) {
        try (Jedis j = jedis(replica)) {
            j.configSet("masteruser", ""); // empty: none
            j.configSet("masterauth", password == null ? "" : password);
        }
    }

    /**
     * Until {@link #resumeReplicaAcks}, the replica stops acknowledging the replication stream (its cron sends the
     * REPLCONF ACKs: DEBUG PAUSE-CRON), so the offset the master's INFO replication shows for it falls behind with
     * every write, while it stays linked, answers every client and the sentinels find it healthy. (CLIENT PAUSE WRITE
     * on the replica would stall its processing of the stream, but also the sentinels' hello PUBLISH on it, and
     * with it their PINGs: +sdown within ~2 s.)
     */
    void pauseReplicaAcks(int replica) {
        debugPauseCron(replica, "1");
    }

    void resumeReplicaAcks(int replica) {
        debugPauseCron(replica, "0");
    }

    /** Jedis has no DEBUG command of its own. */
    private static final ProtocolCommand DEBUG = () -> "DEBUG".getBytes(StandardCharsets.US_ASCII);

    private void debugPauseCron(int port, String paused) {
        try (Jedis j = jedis(port)) {
            j.sendCommand(DEBUG, "PAUSE-CRON", paused);
        }
    }

    /**
     * How many bytes the master's INFO replication shows {@code replica} behind {@code master_repl_offset}; -1 when the
     * master does not list it online.
     */
    long replicaLagBytes(int master, int replica) {
        List<String> lines = info(master, "replication").lines().toList();
        long masterOffset = lines.stream().filter(l -> l.startsWith("master_repl_offset:"))
                .mapToLong(l -> Long.parseLong(l.substring("master_repl_offset:".length()).strip())).findFirst().orElseThrow();
        return lines.stream().filter(l -> l.matches("slave\\d+:.*port=" + replica + ",state=online,.*"))
                .map(l -> l.replaceFirst(".*,offset=(\\d+),.*", "$1"))
                .mapToLong(offset -> masterOffset - Long.parseLong(offset)).findFirst().orElse(-1);
    }

    // ---- Sentinel ------------------------------------------------------------------------------------

    private void writeSentinelConfig(int port, int master) throws IOException {
        StringBuilder conf = new StringBuilder(serverConfig(port, sentinelCertificate, "sentinel.conf"));
        conf.append(SandboxDefinition.render(Map.of("MASTER", masterName, "MASTER_PORT", String.valueOf(master)),
                "sentinel-master.conf"));
        if (!otherPorts.isEmpty()) {
            conf.append(SandboxDefinition.render(Map.of("MASTER", otherName, "MASTER_PORT",
                    String.valueOf(otherPorts.get(0))), "sentinel-master.conf"));
        }
        if (password != null) {
            conf.append(SandboxDefinition.render(Map.of("MASTER", masterName, "PASSWORD", password),
                    "sentinel-auth.conf"));
        }
        Files.writeString(dir.resolve("sentinel-" + port + ".conf"), conf);
    }

    /**
     * The sandbox definition's configuration of a server on {@code port}: where it listens, then {@code fragments}.
     * In a TLS sandbox it presents {@code presented} to its clients; its own links (replication, sentinel links)
     * always present the valid server certificate.
     */
    private String serverConfig(int port, TestCertificates.Pair presented, String... fragments) {
        Map<String, String> values = new HashMap<>(Map.of("PORT", String.valueOf(port), "DIR", dir.toString()));
        if (password != null) {
            values.put("PASSWORD", password);
        }
        String listen = "listen.conf";
        if (certs != null) {
            listen = "listen-tls.conf";
            values.putAll(Map.of("TLS_CERT_FILE", presented.cert().toString(),
                    "TLS_KEY_FILE", presented.key().toString(),
                    "TLS_CLIENT_CERT_FILE", certs.server.cert().toString(),
                    "TLS_CLIENT_KEY_FILE", certs.server.key().toString(),
                    "TLS_CA_FILE", certs.ca.cert().toString()));
        }
        return SandboxDefinition.render(values, Stream.concat(Stream.of(listen), Stream.of(fragments))
                .toArray(String[]::new));
    }

    /**
     * TLS sandbox: restarts every sentinel presenting {@code presented} (e.g. an expired certificate) to its clients;
     * its own links keep the valid one. Sentinel cannot change its certificate at runtime.
     */
    void restartSentinelsPresenting(TestCertificates.Pair presented) throws IOException {
        sentinelCertificate = presented;
        for (int port : sentinelPorts) {
            stopSentinel(port);
            Path conf = dir.resolve("sentinel-" + port + ".conf");
            // the sentinel rewrote its config (known peers and replicas): keep all of it but the certificate
            Files.writeString(conf, Files.readString(conf)
                    .replaceAll("(?m)^tls-cert-file .*$", "tls-cert-file " + presented.cert())
                    .replaceAll("(?m)^tls-key-file .*$", "tls-key-file " + presented.key()));
            startSentinel(port);
        }
    }

    void startSentinel(int port) {
        sentinels.put(port, ManagedProcess.start("sentinel-" + port,
                List.of("redis-sentinel", dir.resolve("sentinel-" + port + ".conf").toString()),
                dir, dir.resolve("sentinel-" + port + ".log"), Map.of()));
        await("sentinel " + port + " up").atMost(SETTLE).ignoreExceptions().until(() -> ping(port));
    }

    private void discoveryPeriods(Map<String, String> periods) {
        List<String> args = new ArrayList<>(List.of("DEBUG"));
        periods.forEach((k, v) -> args.addAll(List.of(k, v)));
        for (int port : sentinelPorts) {
            try (Jedis j = jedis(port)) {
                j.sendCommand(Protocol.Command.SENTINEL, args.toArray(String[]::new));
            } catch (RuntimeException e) {
                // a sentinel that is down starts again with the defaults
            }
        }
    }

    void stopSentinel(int port) {
        sentinels.get(port).stop();
    }

    /**
     * Starts one more sentinel of the same master (configured like the others, on {@code requirepass} when not null),
     * not one of {@link #sentinelPorts}: the others hear of it through its hellos on the master. Returns its port;
     * {@link #removeSentinel} takes it away again.
     */
    int addSentinel(String requirepass) throws IOException {
        int port = freePort();
        writeSentinelConfig(port, sentinelMasterPort());
        if (requirepass != null) {
            Files.writeString(dir.resolve("sentinel-" + port + ".conf"), "requirepass " + requirepass + "\n",
                    StandardOpenOption.APPEND);
        }
        sentinels.put(port, ManagedProcess.start("sentinel-" + port,
                List.of("redis-sentinel", dir.resolve("sentinel-" + port + ".conf").toString()),
                dir, dir.resolve("sentinel-" + port + ".log"), Map.of()));
        await("sentinel " + port + " up").atMost(SETTLE).ignoreExceptions().until(() -> {
            try (Jedis j = new Jedis(new HostAndPort("127.0.0.1", port),
                    DefaultJedisClientConfig.builder().timeoutMillis(1000).password(requirepass).build())) {
                return "PONG".equals(j.ping());
            }
        });
        return port;
    }

    /**
     * Stops an added sentinel and makes the others forget it as operators do: SENTINEL RESET on one sentinel at a
     * time, each settled again (knowing the other two) before the next, so a majority always lists the others.
     */
    void removeSentinel(int port) {
        stopAddedSentinel(port);
        for (int p : sentinelPorts) {
            resetSentinel(p);
        }
    }

    /** Stops a sentinel {@link #addSentinel} started (if still running); the others list it until they are reset. */
    void stopAddedSentinel(int port) {
        ManagedProcess sentinel = sentinels.remove(port);
        if (sentinel != null) {
            sentinel.stop();
        }
    }

    /**
     * SENTINEL RESET on one sentinel: it forgets its replicas and peers, and learns them again from what is running
     * (hellos, INFO); returns once it knows both replicas and exactly the other two of {@link #sentinelPorts}.
     */
    void resetSentinel(int port) {
        Set<Integer> others = new HashSet<>(sentinelPorts);
        others.remove(port);
        discoveryPeriods(FAST_DISCOVERY);
        try (Jedis j = jedis(port)) {
            j.sentinelReset(MASTER);
            await("sentinel " + port + " settled after its reset").atMost(SETTLE).pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions().until(() -> healthyReplicas(j, MASTER) == 2 && sentinelsListedBy(port).equals(others));
        } finally {
            discoveryPeriods(DEFAULT_DISCOVERY);
        }
    }

    /**
     * Makes one sentinel, and only that one, believe in a sentinel at {@code 127.0.0.1:port}: a hello message sent
     * to it directly (Sentinel's own PUBLISH accepts hellos from clients; the others never see it, since hellos they
     * hear arrive on the master and replicas). The config epoch 0 is older than the master's, so nothing else changes.
     */
    void announceSentinelTo(int sentinelPort, int port) {
        String runId = String.format("%040x", port);
        String hello = String.join(",", "127.0.0.1", String.valueOf(port), runId, "0", MASTER, "127.0.0.1",
                String.valueOf(sentinelMasterPort()), "0");
        try (Jedis j = jedis(sentinelPort)) {
            j.publish("__sentinel__:hello", hello);
        }
    }

    /** The ports of the sentinels one sentinel lists for the master. */
    Set<Integer> sentinelsListedBy(int sentinelPort) {
        try (Jedis j = jedis(sentinelPort)) {
            Set<Integer> ports = new HashSet<>();
            j.sentinelSentinels(MASTER).forEach(peer -> ports.add(Integer.parseInt(peer.get("port"))));
            return ports;
        }
    }

    /**
     * The state a test starts from: every Redis server and sentinel running (one an earlier test stopped or killed
     * is started again, a Redis server as a replica of the master the sentinels name) and the sentinels settled.
     */
    void restartStoppedAndSettle() {
        for (Map.Entry<Integer, ManagedProcess> s : List.copyOf(sentinels.entrySet())) {
            if (!s.getValue().alive()) {
                startSentinel(s.getKey());
            }
        }
        for (Map.Entry<Integer, ManagedProcess> r : List.copyOf(redis.entrySet())) {
            if (!r.getValue().alive()) {
                int master = sentinelMasterPort(otherPorts.contains(r.getKey()) ? otherName : masterName);
                startRedis(r.getKey(), master == r.getKey() || master == -1 ? null : master);
            }
        }
        awaitSentinelsSettled();
    }

    /** Every sentinel knows both replicas and both other sentinels, so a failover can start at once. */
    void awaitSentinelsSettled() {
        discoveryPeriods(FAST_DISCOVERY);
        try {
            await("sentinels settled").atMost(SETTLE).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() ->
                    sentinelPorts.stream().allMatch(p -> {
                        try (Jedis j = jedis(p)) {
                            return healthyReplicas(j, masterName) == 2 && j.sentinelSentinels(masterName).size() == 2
                                    && (otherPorts.isEmpty()
                                    || healthyReplicas(j, otherName) == 1 && j.sentinelSentinels(otherName).size() == 2);
                        }
                    }));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("sentinels did not settle within " + SETTLE + "; what each one sees:\n"
                    + sentinelViews(), e);
        } finally {
            discoveryPeriods(DEFAULT_DISCOVERY);
        }
    }

    /** Each sentinel's replicas and peers with their flags, and the tail of its log: why a sandbox did not settle. */
    private String sentinelViews() {
        StringBuilder out = new StringBuilder();
        for (int p : sentinelPorts) {
            out.append("sentinel ").append(p).append(": ");
            try (Jedis j = jedis(p)) {
                out.append("replicas ").append(j.sentinelReplicas(masterName)).append(" sentinels ")
                        .append(j.sentinelSentinels(masterName));
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

    private static long healthyReplicas(Jedis sentinel, String master) {
        return sentinel.sentinelReplicas(master).stream().filter(Sandbox::healthy).count();
    }

    private static boolean healthy(Map<String, String> replica) {
        return !replica.get("flags").contains("down") && !replica.get("flags").contains("disconnected")
                && "0".equals(replica.getOrDefault("master-link-down-time", "0"));
    }

    /** How many sentinels list {@code replica} among the master's replicas without a down or disconnected flag, link ok. */
    long sentinelsSeeingHealthy(int replica) {
        return sentinelEntriesOf(replica).filter(Sandbox::healthy).count();
    }

    /** How many sentinels list {@code replica} with {@code flag} (e.g. s_down) among its flags. */
    long sentinelsFlagging(int replica, String flag) {
        return sentinelEntriesOf(replica).filter(r -> List.of(r.get("flags").split(",")).contains(flag)).count();
    }

    /** Each reachable sentinel's SENTINEL REPLICAS entry for {@code replica}, if it lists it. */
    private Stream<Map<String, String>> sentinelEntriesOf(int replica) {
        List<Map<String, String>> entries = new ArrayList<>();
        for (int p : sentinelPorts) {
            try (Jedis j = jedis(p)) {
                j.sentinelReplicas(masterName).stream().filter(r -> r.get("port").equals(String.valueOf(replica)))
                        .forEach(entries::add);
            } catch (RuntimeException e) {
                // an unreachable sentinel sees nothing
            }
        }
        return entries.stream();
    }

    /** The master a majority of the sentinels names now. */
    int sentinelMasterPort() {
        return sentinelMasterPort(masterName);
    }

    int sentinelMasterPort(String name) {
        Map<Integer, Integer> votes = new HashMap<>();
        for (int p : sentinelPorts) {
            try (Jedis j = jedis(p)) {
                List<String> addr = j.sentinelGetMasterAddrByName(name);
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
            return Integer.parseInt(j.sentinelGetMasterAddrByName(masterName).get(1));
        }
    }

    /**
     * Runs SENTINEL FAILOVER and waits until a majority names a new master; returns its port. Sentinel gives up a
     * failover whose promotion it does not see within failover-timeout (-failover-abort-slave-timeout, seen once in a
     * full run) and does not retry one that was asked for, so it is asked again, at most {@value #FAILOVER_TRIES} times.
     */
    int failover() {
        int before = sentinelMasterPort();
        for (int tried = 1; ; tried++) {
            requestFailover(masterName);
            try {
                return awaitNewMaster(before, tried < FAILOVER_TRIES ? FAILOVER_ATTEMPT : SETTLE);
            } catch (ConditionTimeoutException aborted) {
                if (tried == FAILOVER_TRIES) {
                    throw aborted;
                }
            }
        }
    }

    /** Runs SENTINEL FAILOVER for {@code name} until a sentinel accepts it; does not wait for the new master. */
    void requestFailover(String name) {
        await("SENTINEL FAILOVER " + name + " accepted").atMost(SETTLE).pollInterval(Duration.ofMillis(500)).until(() -> {
            try (Jedis j = jedis(sentinelPorts.get(0))) {
                j.sentinelFailover(name);
                return true;
            } catch (JedisDataException e) { // INPROG or NOGOODSLAVE right after a previous failover
                return false;
            }
        });
    }

    int awaitNewMaster(int before) {
        return awaitNewMaster(before, SETTLE);
    }

    private int awaitNewMaster(int before, Duration atMost) {
        await("sentinels name a new master").atMost(atMost).pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    int now = sentinelMasterPort();
                    return now != before && now != -1;
                });
        return sentinelMasterPort();
    }

    // ---- HAProxy -------------------------------------------------------------------------------------

    /** One HAProxy process of the sandbox: the mode's config with its own ports, admin socket and map file. */
    private static final class Haproxy {
        final int number;
        final int frontendPort;
        /** The read frontend (a mode with a read pool only, else 0). */
        final int readFrontendPort;
        final int adminPort;
        final Path adminSocket;
        /** Its own copy of the map file (map mode only, else null). */
        final Path mapFile;
        /** The master its config names at start-up: INITIAL_MASTER in addr mode, the map file's entry in map mode. */
        int initialMaster;
        ManagedProcess process;

        Haproxy(int number, int frontendPort, int readFrontendPort, int adminPort, Path adminSocket, Path mapFile,
                int initialMaster) {
            this.number = number;
            this.frontendPort = frontendPort;
            this.readFrontendPort = readFrontendPort;
            this.adminPort = adminPort;
            this.adminSocket = adminSocket;
            this.mapFile = mapFile;
            this.initialMaster = initialMaster;
        }

        String name() {
            return number == 1 ? "haproxy" : "haproxy-" + number;
        }
    }

    /**
     * Starts one more HAProxy from the same config, with its own frontend and admin ports (and its own copy of
     * the map file in map mode), pointing at the master the sentinels name now. Returns its instance number.
     */
    int addHaproxy() {
        int master = sentinelMasterPort();
        return addHaproxy(master != -1 ? master : haproxy(1).initialMaster);
    }

    /** Like {@link #addHaproxy()}, its config pointing at {@code initialMaster}. */
    int addHaproxy(int initialMaster) {
        return launchNew(freePort(), freePort(), dir.resolve("admin-" + (haproxies.size() + 1) + ".sock"), initialMaster);
    }

    /** Adds the next instance, writes its map file (map mode) and starts it; returns its number. */
    private int launchNew(int frontendPort, int adminPort, Path adminSocket, int initialMaster) {
        int n = haproxies.size() + 1;
        // one map file for every instance: the runtime API names a map by its path, and the relay has one path per master
        Path mapFile = mode != HaproxyMode.MAP ? null : dir.resolve("masters.map");
        Haproxy h = new Haproxy(n, frontendPort, mode.hasReadPool() ? freePort() : 0, adminPort, adminSocket, mapFile,
                initialMaster);
        haproxies.add(h);
        if (n == 1) {
            writeMapFile(h);
        }
        launch(h);
        return n;
    }

    int haproxyCount() {
        return haproxies.size();
    }

    /** Stops HAProxy instance {@code instance} (1-based) by its PID; what it was told at runtime is lost. */
    void stopHaproxy(int instance) {
        haproxy(instance).process.stop();
    }

    /**
     * Starts a stopped instance again from the config file, and in map mode from its map file as it is on disk
     * now (the relay may have rewritten it).
     */
    void startHaproxy(int instance) {
        Haproxy h = haproxy(instance);
        if (h.process.alive()) {
            throw new IllegalStateException(h.name() + " is running (pid " + h.process.pid() + ")");
        }
        launch(h);
    }

    /** Restarts HAProxy from its configuration file, losing every runtime change. */
    void restartHaproxy(int initialMaster) {
        restartHaproxy(1, initialMaster);
    }

    /**
     * Restarts an instance from a config that names {@code initialMaster}: INITIAL_MASTER in addr mode, its map
     * file rewritten in map mode; in state mode the health check decides. Every runtime change is lost.
     */
    void restartHaproxy(int instance, int initialMaster) {
        Haproxy h = haproxy(instance);
        h.process.stop();
        h.initialMaster = initialMaster;
        writeMapFile(h);
        launch(h);
    }

    /**
     * Reloads an instance as an operator does, from a config that names {@code initialMaster}: a new process started
     * with {@code -sf <old pid>}, which tells the old one to stop listening, finish the connections it has and exit.
     * Every runtime change is lost. Returns the old process.
     */
    ManagedProcess reloadHaproxy(int instance, int initialMaster) {
        Haproxy h = haproxy(instance);
        ManagedProcess old = h.process;
        reloadedHaproxies.add(old);
        h.initialMaster = initialMaster;
        writeMapFile(h);
        launch(h, List.of("-sf", String.valueOf(old.pid())));
        return old;
    }

    ManagedProcess haproxyProcess(int instance) {
        return haproxy(instance).process;
    }

    int frontendPort(int instance) {
        return haproxy(instance).frontendPort;
    }

    int adminPort(int instance) {
        return haproxy(instance).adminPort;
    }

    Path adminSocket(int instance) {
        return haproxy(instance).adminSocket;
    }

    /** The map file instance {@code instance} loads, as its config (and the runtime API) names it. */
    Path mapFile(int instance) {
        Path file = haproxy(instance).mapFile;
        if (file == null) {
            throw new IllegalStateException("no map file in " + mode + " mode");
        }
        return file;
    }

    /** Node i (1-based, as in REDIS_i and redis_node<i>) is redisPorts.get(i - 1). */
    int node(int redisPort) {
        int i = redisPorts.indexOf(redisPort);
        if (i < 0) {
            throw new IllegalArgumentException(redisPort + " is not a Redis port of this sandbox");
        }
        return i + 1;
    }

    /** The map-mode backend of one Redis node. */
    String nodeBackend(int redisPort) {
        return "redis_node" + node(redisPort);
    }

    private Haproxy haproxy(int instance) {
        if (instance < 1 || instance > haproxies.size()) {
            throw new IllegalArgumentException("no HAProxy instance " + instance + " (1-" + haproxies.size() + ")");
        }
        return haproxies.get(instance - 1);
    }

    private void writeMapFile(Haproxy h) {
        if (h.mapFile == null) {
            return;
        }
        try {
            Files.writeString(h.mapFile, MASTER + " " + nodeBackend(h.initialMaster) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The environment the configs read (see the header of each file under config/haproxy/). */
    private Map<String, String> haproxyEnv(Haproxy h) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("FRONTEND_ADDR", "127.0.0.1:" + h.frontendPort);
        if (mode.hasReadPool()) {
            env.put("READ_FRONTEND_ADDR", "127.0.0.1:" + h.readFrontendPort);
        }
        env.put("ADMIN_SOCKET", h.adminSocket.toString());
        env.put("ADMIN_ADDR", "127.0.0.1:" + h.adminPort);
        if (mode == HaproxyMode.ADDR) {
            env.put("INITIAL_MASTER", "127.0.0.1:" + h.initialMaster);
            putTlsEnv(env);
            return env;
        }
        for (int i = 1; i <= redisPorts.size(); i++) {
            env.put("REDIS_" + i, "127.0.0.1:" + redisPorts.get(i - 1));
        }
        if (recipeSockets != null) { // the recipe's own names (see its header)
            env.put("RECIPE_FRONTEND_ADDR", env.get("FRONTEND_ADDR"));
            for (int i = 1; i <= redisPorts.size(); i++) {
                env.put("REDIS_" + i + "_ADDR", env.get("REDIS_" + i));
            }
        }
        if (mode.writesByState() && password != null) {
            env.put("REDIS_PASSWORD", password); // for the health check's AUTH
        }
        putTlsEnv(env);
        if (mode == HaproxyMode.MAP) {
            env.put("MAP_FILE", h.mapFile.toString());
        }
        return env;
    }

    private void putTlsEnv(Map<String, String> env) {
        if (certs != null) {
            env.put("REDIS_TLS_CA_FILE", certs.ca.cert().toString());
            env.put("REDIS_TLS_CLIENT_PEM", certs.client.combined().toString());
        }
    }

    private void launch(Haproxy h) {
        launch(h, List.of());
    }

    private void launch(Haproxy h, List<String> options) {
        Path cfg = recipeSockets != null ? HOME.resolve("bench/tcp-check-recipe.cfg") : mode.config();
        Map<String, String> env = haproxyEnv(h);
        List<String> files = new ArrayList<>(List.of("-f", cfg.toString()));
        if (recipeSockets != null) {
            files.addAll(List.of("-f", recipeSockets.toString()));
        }
        if (otherConfig != null) {
            files.addAll(List.of("-f", otherConfig.toString()));
            env.put("FRONTEND2_ADDR", "127.0.0.1:" + (h.number == 1 ? otherFrontendPort : freePort()));
            env.put("INITIAL_MASTER2", "127.0.0.1:" + otherPorts.get(0));
        }
        List<String> check = new ArrayList<>(List.of("haproxy", "-c"));
        check.addAll(files);
        ManagedProcess checked = ManagedProcess.start(h.name() + " -c", check,
                dir, dir.resolve(h.name() + "-check.log"), env);
        try {
            if (checked.awaitExit(30) != 0) {
                throw new IllegalStateException("haproxy -c rejected " + files + ": " + checked.logText());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        List<String> run = new ArrayList<>(List.of("haproxy", "-db"));
        run.addAll(files);
        run.addAll(options);
        // a reload's old process still writes its own log
        String log = h.name() + (options.isEmpty() ? "" : "-reload-" + reloadedHaproxies.size());
        h.process = ManagedProcess.start(h.name(), run, dir, dir.resolve(log + ".log"), env);
        await(h.name() + " up").atMost(SETTLE).ignoreExceptions().failFast(h.name() + " exited", () -> !h.process.alive())
                .until(() -> haproxyCommand(h.number, "show info").contains("Name: HAProxy"));
        if (mode.writesByState()) {
            // HAProxy counts every node up until its first health check: once each has had one, only the
            // node that answers role:master is served.
            await(h.name() + " first health checks").atMost(SETTLE).ignoreExceptions()
                    .until(() -> serverStates(h.number).noneMatch(f -> f[SRV_CHECK_RESULT].equals("0")));
        }
    }

    /** One runtime API command to instance 1 over its TCP admin socket; returns the whole reply. */
    String haproxyCommand(String command) throws IOException {
        return haproxyCommand(1, command);
    }

    /** One runtime API command over an instance's TCP admin socket; returns the whole reply. */
    String haproxyCommand(int instance, String command) throws IOException {
        try (Socket s = new Socket("127.0.0.1", haproxy(instance).adminPort)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write((command + "\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The reply to {@code show map <file>} (map mode): one "<id> <key> <value>" line per entry. */
    String showMap(int instance) throws IOException {
        return haproxyCommand(instance, "show map " + mapFile(instance));
    }

    // columns of "show servers state" (format 1)
    private static final int SRV_OP_STATE = 5;
    private static final int SRV_ADMIN_STATE = 6;
    private static final int SRV_CHECK_RESULT = 11;
    private static final int SRV_PORT = 18;

    /** The server lines of the master's {@link #backend()}, split into columns. */
    private Stream<String[]> serverStates(int instance) throws IOException {
        return haproxyCommand(instance, "show servers state " + backend()).lines()
                .filter(l -> l.matches("\\d+ " + backend() + " .*"))
                .map(l -> l.split(" "));
    }

    /** The port of the server instance 1 routes to now, read back over the runtime API. */
    int haproxyServerPort() throws IOException {
        return haproxyServerPort(1);
    }

    /**
     * The port of the Redis server an instance routes new connections to now, read back over the runtime API:
     * addr mode, the server entry's port; state mode, the one server that is up and not in maintenance; map
     * mode, the node whose backend the map entry names. -1 when it routes to none (fenced, no entry, no server
     * up) or, in state mode, to more than one.
     */
    int haproxyServerPort(int instance) throws IOException {
        return switch (mode) {
            case ADDR -> serverStates(instance).map(f -> Integer.parseInt(f[SRV_PORT])).findFirst().orElseThrow();
            case STATE, READ_WRITE -> {
                List<Integer> serving = serverStates(instance) // running, admin state without maint or drain
                        .filter(f -> f[SRV_OP_STATE].equals("2") && f[SRV_ADMIN_STATE].equals("0"))
                        .map(f -> Integer.parseInt(f[SRV_PORT])).toList();
                yield serving.size() == 1 ? serving.get(0) : -1;
            }
            case MAP -> {
                String backend = mapEntry(instance);
                yield backend != null && backend.matches("redis_node[1-9]")
                        ? redisPorts.get(Integer.parseInt(backend.substring("redis_node".length())) - 1) : -1;
            }
        };
    }

    /** The value of the map entry for the master (the first one, if "add map" made several); null if none. */
    String mapEntry(int instance) throws IOException {
        return showMap(instance).lines().map(l -> l.split(" "))
                .filter(f -> f.length == 3 && f[1].equals(MASTER)).map(f -> f[2]).findFirst().orElse(null);
    }

    /** Opens a new client connection through HAProxy and returns the port of the Redis server it reached. */
    int portBehindFrontend() {
        return portBehindFrontend(1);
    }

    int portBehindFrontend(int instance) {
        try (Jedis j = clientThroughFrontend(instance)) {
            return tcpPort(j);
        }
    }

    /** Waits until a new connection through HAProxy reaches {@code master} and a write there succeeds. */
    void awaitClientsReach(int master) {
        awaitClientsReach(1, master);
    }

    void awaitClientsReach(int instance, int master) {
        await("new connections through " + haproxy(instance).name() + " reach " + master).atMost(SETTLE)
                .pollInterval(Duration.ofMillis(20)).ignoreExceptions()
                .until(() -> {
                    try (Jedis j = clientThroughFrontend(instance)) {
                        return tcpPort(j) == master && "OK".equals(j.set("k", "v"));
                    }
                });
    }

    // ---- Read pool (a mode with a read frontend, see HaproxyMode.hasReadPool) ---------------------------

    /** The backend of read-write.cfg's read frontend that the relay keeps as the read pool. */
    String readBackend() {
        return "redis_" + MASTER + "_read";
    }

    /** Instance 1's read frontend. */
    int readFrontendPort() {
        int port = haproxy(1).readFrontendPort;
        if (port == 0) {
            throw new IllegalStateException("no read frontend in " + mode + " mode");
        }
        return port;
    }

    /** The read backend's servers on instance 1 as HAProxy holds them now (show servers state), by Redis port. */
    Map<Integer, ServerState> readServers() throws IOException {
        return ServerState.parse(haproxyCommand("show servers state " + readBackend()).lines().toList()).stream()
                .collect(Collectors.toMap(ServerState::port, s -> s));
    }

    /** The Redis ports of the read backend's servers whose admin state lets them serve (neither maint nor drain). */
    Set<Integer> readPool() throws IOException {
        return readServers().values().stream().filter(ServerState::serving).map(ServerState::port)
                .collect(Collectors.toSet());
    }

    /** A new client connection through instance 1's read frontend. */
    Jedis clientThroughReadFrontend() {
        return frontendClient(readFrontendPort());
    }

    /** Reads once through the read frontend on a new connection; returns the port of the node that answered. */
    int portBehindReadFrontend() {
        try (Jedis j = clientThroughReadFrontend()) {
            return tcpPort(j);
        }
    }

    Jedis clientThroughFrontend() {
        return clientThroughFrontend(1);
    }

    Jedis clientThroughFrontend(int instance) {
        return frontendClient(haproxy(instance).frontendPort);
    }

    /** A client of an HAProxy frontend: plain TCP, in a TLS sandbox too (HAProxy talks TLS to the servers). */
    private Jedis frontendClient(int port) {
        return new Jedis(new HostAndPort("127.0.0.1", port), clientConfig().build());
    }

    /** The port the server behind {@code j} listens on: its TCP port, or its TLS port when that is 0. */
    static int tcpPort(Jedis j) {
        int port = j.info("server").lines().filter(l -> l.startsWith("tcp_port:"))
                .map(l -> Integer.parseInt(l.substring("tcp_port:".length()).strip())).findFirst().orElseThrow();
        return port != 0 ? port : Integer.parseInt(j.configGet("tls-port").get("tls-port"));
    }

    // ---- Relay configuration -------------------------------------------------------------------------

    /**
     * A relay configuration for this sandbox: every HAProxy instance as an endpoint (instance 1 over its unix
     * socket, the others over TCP) and the mode's keys for the master. In map mode the map file is instance
     * 1's: the runtime API names a map by the path its config loaded, and the other instances load copies
     * at other paths.
     */
    Path writeRelayConfig(int apiPort, Map<String, String> overrides) throws IOException {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("relay.sentinels", String.join(",", sentinelPorts.stream().map(p -> "127.0.0.1:" + p).toList()));
        props.put("relay.masters", masterName);
        props.put("relay.haproxy.endpoints", String.join(",", haproxies.stream()
                .map(h -> h.number == 1 ? "unix:" + h.adminSocket : "tcp:127.0.0.1:" + h.adminPort).toList()));
        String key = "relay.haproxy." + masterName + ".";
        switch (mode) {
            case ADDR -> {
                props.put(key + "backend", "redis_" + MASTER);
                props.put(key + "server", "master");
            }
            case STATE, READ_WRITE -> {
                props.put(key + "mode", "state");
                props.put(key + "backend", backend());
                if (mode.hasReadPool()) {
                    props.put(key + "read-backend", readBackend());
                }
            }
            case MAP -> {
                props.put(key + "mode", "map");
                props.put(key + "map-file", mapFile(1).toString());
                props.put(key + "backends", String.join(",", redisPorts.stream().map(this::nodeBackend).toList()));
                props.put(key + "reject-backend", "redis_reject");
            }
        }
        if (!otherPorts.isEmpty()) {
            props.put("relay.masters", masterName + "," + otherName);
            props.put("relay.haproxy." + otherName + ".backend", "redis_" + otherName);
            props.put("relay.haproxy." + otherName + ".server", "master");
        }
        if (certs != null) {
            props.put("relay.sentinel.tls", "true");
            props.put("relay.redis.tls", "true");
            props.put("relay.tls.ca-file", certs.ca.cert().toString());
            props.put("relay.tls.cert-file", certs.client.cert().toString());
            props.put("relay.tls.key-file", certs.client.key().toString());
        }
        props.put("relay.reconcile.interval", "2s");
        props.put("relay.api.port", String.valueOf(apiPort));
        props.put("relay.data.dir", dir.resolve("data-" + apiPort).toString());
        props.putAll(overrides);
        Path file = dir.resolve("relay-" + apiPort + ".properties");
        StringBuilder text = new StringBuilder();
        props.forEach((k, v) -> text.append(k).append(" = ").append(v).append('\n'));
        Files.writeString(file, text.toString());
        return file;
    }

    // ---- helpers -------------------------------------------------------------------------------------

    /** A connection to a Redis server or sentinel of the sandbox (over TLS in a TLS sandbox). */
    Jedis jedis(int port) {
        DefaultJedisClientConfig.Builder config = clientConfig();
        if (testClientTls != null) {
            config.ssl(true).sslSocketFactory(testClientTls);
        }
        return new Jedis(new HostAndPort("127.0.0.1", port), config.build());
    }

    private DefaultJedisClientConfig.Builder clientConfig() {
        return DefaultJedisClientConfig.builder().timeoutMillis(1000).password(password);
    }

    /** Presents {@code client} and accepts any server certificate: the test looks at servers, not at their certificates. */
    private static SSLSocketFactory trustingClient(TestCertificates.Pair client) {
        X509TrustManager acceptAll = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(PemTls.keyManagers(PemTls.certificates(client.cert()), PemTls.privateKey(client.key())),
                    new TrustManager[]{acceptAll}, null);
            return context.getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
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
        haproxies.stream().filter(h -> h.process != null).forEach(h -> h.process.stop());
        reloadedHaproxies.forEach(ManagedProcess::stop);
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
