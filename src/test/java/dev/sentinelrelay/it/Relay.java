package dev.sentinelrelay.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.awaitility.Awaitility.await;

/**
 * The relay's runnable jar started as its own process, from the repository root so it reads routes/. Several can run
 * against one sandbox at once (a cluster): each has its own API port, config, log and data dir (named by the port).
 */
final class Relay implements AutoCloseable {

    static final Path JAR = Path.of(System.getProperty("relay.jar", "target/sentinel-relay.jar"));
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    final ManagedProcess process;
    final int apiPort;
    private final Path config;
    /** Headers of the readiness probe (the bearer token when relay.api.token is set). */
    private final Map<String, String> headers;
    /** Lines of the log written before the current test began ({@link #markLog()}); those are not counted. */
    private volatile long mark;
    /** Stopped by SIGSTOP ({@link #freeze}) and not resumed yet. */
    private volatile boolean frozen;

    private Relay(ManagedProcess process, int apiPort, Path config, Map<String, String> headers) {
        this.process = process;
        this.apiPort = apiPort;
        this.config = config;
        this.headers = headers;
    }

    /** Starts the relay on a configuration file; does not wait for it to be ready. */
    static Relay launch(Path config, int apiPort, Path log) {
        return new Relay(start(config, log, Map.of()), apiPort, config, Map.of());
    }

    Path config() {
        return config;
    }

    /** relay.data.dir of the configuration the relay runs on (where its dead letters are). */
    Path dataDir() throws IOException {
        return Sandbox.HOME.resolve(property("relay.data.dir", "data"));
    }

    /** relay.cluster.instance of the configuration the relay runs on: its id in a cluster; null if not set. */
    String instance() throws IOException {
        return property("relay.cluster.instance", null);
    }

    private String property(String key, String orElse) throws IOException {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(config)) {
            properties.load(in);
        }
        return properties.getProperty(key, orElse);
    }

    /** Runs the jar as operators do: from the repository root, with the JVM options in config/jvm.options. */
    static ManagedProcess start(Path config, Path log, Map<String, String> env) {
        return start(config, log, env, Sandbox.HOME);
    }

    /** Likewise from another working directory (whose routes/ it runs). */
    static ManagedProcess start(Path config, Path log, Map<String, String> env, Path workDir) {
        return ManagedProcess.start("relay", List.of("java", "@" + Sandbox.HOME.resolve("config/jvm.options"),
                "-Drelay.config=" + config, "-jar", JAR.toAbsolutePath().toString()), workDir, log, env);
    }

    /** Starts the relay against the sandbox; does not wait (for a relay that must not become ready). */
    static Relay launch(Sandbox sandbox, Map<String, String> overrides) throws IOException {
        return launch(sandbox, overrides, Map.of(), Sandbox.HOME);
    }

    /** Starts the relay against the sandbox and waits until it reports ready. */
    static Relay start(Sandbox sandbox, Map<String, String> overrides) throws IOException {
        return start(sandbox, overrides, Map.of());
    }

    /** Likewise, probing readiness with these request headers. */
    static Relay start(Sandbox sandbox, Map<String, String> overrides, Map<String, String> headers) throws IOException {
        return start(sandbox, overrides, headers, Sandbox.HOME);
    }

    /** Likewise, running the routes/ of {@code workDir}. */
    static Relay start(Sandbox sandbox, Map<String, String> overrides, Map<String, String> headers, Path workDir)
            throws IOException {
        return awaitAllReady(List.of(launch(sandbox, overrides, headers, workDir))).get(0);
    }

    /**
     * {@code size} relays of one cluster on {@code zookeeper} against the sandbox: relay i (1-based) with
     * {@link #clusterKeys}, then {@code overrides} (the same for all, e.g. another session timeout). Started
     * together; returned in that order once every one is ready.
     */
    static List<Relay> startCluster(Sandbox sandbox, ZooKeeperServers zookeeper, int size, Map<String, String> overrides)
            throws IOException {
        List<Relay> relays = new ArrayList<>();
        try {
            for (int i = 1; i <= size; i++) {
                Map<String, String> keys = new LinkedHashMap<>(clusterKeys(zookeeper, i));
                keys.putAll(overrides);
                relays.add(launch(sandbox, keys, Map.of(), Sandbox.HOME));
            }
        } catch (IOException | RuntimeException e) {
            relays.forEach(Relay::close);
            throw e;
        }
        return awaitAllReady(relays);
    }

    /**
     * The cluster keys of relay {@code i} of a cluster on {@code zookeeper}: its connect string, instance
     * {@code relay-<i>}, session timeout 2s (the test ZooKeeper allows 1 s and up).
     */
    static Map<String, String> clusterKeys(ZooKeeperServers zookeeper, int i) {
        return Map.of("relay.cluster.zookeeper", zookeeper.connectString(),
                "relay.cluster.instance", "relay-" + i,
                "relay.cluster.session-timeout", "2s");
    }

    /** A relay with its own API port, config, log and data dir; does not wait for it to be ready. */
    private static Relay launch(Sandbox sandbox, Map<String, String> overrides, Map<String, String> headers, Path workDir)
            throws IOException {
        int apiPort = Sandbox.freePort();
        Path config = sandbox.writeRelayConfig(apiPort, overrides);
        return new Relay(start(config, sandbox.dir.resolve("relay-" + apiPort + ".log"), Map.of(), workDir),
                apiPort, config, headers);
    }

    private static List<Relay> awaitAllReady(List<Relay> relays) {
        try {
            relays.forEach(Relay::awaitReady);
        } catch (AssertionError e) {
            relays.forEach(Relay::close); // the test never gets hold of them, so nothing else would stop them
            throw e;
        }
        return relays;
    }

    void awaitReady() {
        try {
            await("relay ready").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .failFast("relay exited", () -> !process.alive())
                    .until(() -> readyStatus() == 200);
        } catch (RuntimeException e) {
            throw new AssertionError(e.getMessage() + "\nrelay log:\n" + tail(), e);
        }
    }

    /** GET of an API path (e.g. /api/sentinels), its JSON body parsed; fails unless the answer is 200. */
    JsonNode api(String path) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + path))
                .timeout(Duration.ofSeconds(5));
        headers.forEach(request::header);
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + path + ": " + response.statusCode() + " " + response.body());
        }
        return JSON.readTree(response.body());
    }

    /** HTTP status of GET /health/ready; -1 when the API does not answer. */
    int readyStatus() {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + "/health/ready"))
                    .timeout(Duration.ofSeconds(2));
            headers.forEach(request::header);
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The whole log since the process started: for what must never be logged at all (secrets). */
    String log() {
        return process.logText();
    }

    /**
     * From here on, {@link #count} and {@link #linesSinceMark} see only lines written after this moment; SandboxIT
     * calls it before each test, so lines an earlier test caused cannot satisfy a later test's assertion.
     */
    void markLog() {
        mark = log().lines().count();
    }

    /** The log lines written since the mark (the current test's start, or the process's start if later). */
    List<String> linesSinceMark() {
        return log().lines().skip(mark).toList();
    }

    /** Log lines containing {@code text} written since the mark. */
    long count(String text) {
        return linesSinceMark().stream().filter(l -> l.contains(text)).count();
    }

    /** Log lines containing {@code text} since the process started: to compare with the relay's own counters. */
    long countSinceStart(String text) {
        return log().lines().filter(l -> l.contains(text)).count();
    }

    String tail() {
        List<String> lines = log().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    /** SIGSTOP by PID: the relay hangs as on a stalled host (sockets open, ZooKeeper session unrenewed) until {@link #thaw}. */
    void freeze() throws IOException, InterruptedException {
        process.signal("STOP");
        frozen = true;
    }

    /** SIGCONT by PID: a frozen relay resumes where it stopped, unaware of the time it lost. */
    void thaw() throws IOException, InterruptedException {
        process.signal("CONT");
        frozen = false;
    }

    /** SIGKILL by PID: the relay dies as in a crash, without a chance to clean up (its ZooKeeper session expires). */
    void kill() throws InterruptedException {
        process.kill();
    }

    /** Stops the relay by PID; a frozen one is killed, so that it never resumes to act at the end of a test. */
    @Override
    public void close() {
        if (frozen) {
            try {
                kill();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        process.stop();
    }
}
