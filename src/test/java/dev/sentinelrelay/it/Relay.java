package dev.sentinelrelay.it;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.awaitility.Awaitility.await;

/** The relay's runnable jar started as its own process, from the repository root so it reads routes/. */
final class Relay implements AutoCloseable {

    static final Path JAR = Path.of(System.getProperty("relay.jar", "target/sentinel-relay.jar"));
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final ManagedProcess process;
    final int apiPort;
    private final Path config;
    /** Headers of the readiness probe (the bearer token when relay.api.token is set). */
    private final Map<String, String> headers;
    /** Lines of the log written before the current test began ({@link #markLog()}); those are not counted. */
    private volatile long mark;

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
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(config)) {
            properties.load(in);
        }
        return Sandbox.HOME.resolve(properties.getProperty("relay.data.dir", "data"));
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
        int apiPort = Sandbox.freePort();
        Path config = sandbox.writeRelayConfig(apiPort, overrides);
        Relay relay = new Relay(start(config, sandbox.dir.resolve("relay-" + apiPort + ".log"), Map.of(), workDir),
                apiPort, config, headers);
        try {
            relay.awaitReady();
        } catch (AssertionError e) {
            relay.close(); // the test never gets hold of it, so nothing else would stop it
            throw e;
        }
        return relay;
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

    @Override
    public void close() {
        process.stop();
    }
}
