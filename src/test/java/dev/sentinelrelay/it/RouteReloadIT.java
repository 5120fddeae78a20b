package dev.sentinelrelay.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code relay.routes.reload=true} on a copy of routes/: a fixed edit is applied while the relay runs; a file that
 * does not parse, a file whose routes fail to start and an edited route template are each refused with one log line,
 * and every route keeps running (the API answers as before and a failover is still followed). Each test starts with
 * the shipped API routes running ({@link #shippedApiRunning()}), so each passes alone and in any order; an edited
 * template stays refused until the end (only a restart would take it).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RouteReloadIT extends SandboxIT {

    private static final Duration RELOAD = Duration.ofSeconds(30);
    private static final String REFUSED = "route reload refused: ";
    /** What /api/ping answers with the shipped routes/60-api.yaml. */
    private static final String SHIPPED = "pong";
    private Path workDir;
    private Path api;

    @BeforeAll
    void start() throws Exception {
        workDir = Files.createTempDirectory("sentinel-relay-reload-it-");
        Files.createDirectories(workDir.resolve("routes"));
        try (Stream<Path> routes = Files.list(Sandbox.HOME.resolve("routes"))) {
            for (Path route : routes.toList()) {
                Files.copy(route, workDir.resolve("routes").resolve(route.getFileName()));
            }
        }
        api = workDir.resolve("routes/60-api.yaml");
        sandbox = Sandbox.start();
        relay = Relay.start(sandbox, Map.of("relay.routes.reload", "true"), Map.of(), workDir);
        await("reload watching").atMost(RELOAD).until(() -> relay.count("route hot-reload on") == 1);
    }

    /** The shipped API routes running (saved again if an earlier test left another version); the log marked after. */
    @BeforeEach
    void shippedApiRunning() throws Exception {
        if (!ping().equals(SHIPPED)) {
            long applied = relay.count("route reload applied: ");
            RouteFiles.save(api, Files.readString(Sandbox.HOME.resolve("routes/60-api.yaml")));
            await("the shipped API routes applied").atMost(RELOAD).ignoreExceptions()
                    .until(() -> relay.count("route reload applied: ") > applied && ping().equals(SHIPPED));
        }
        relay.markLog();
    }

    @AfterAll
    void deleteWorkDir() {
        relay.close(); // before its routes disappear
        Sandbox.keepLogsAndDelete(workDir);
    }

    private String ping() throws Exception {
        return OperatorApiIT.get(relay, "/api/ping", null).body();
    }

    private String apiWithPing(String answer) throws IOException {
        return Files.readString(Sandbox.HOME.resolve("routes/60-api.yaml"))
                .replace("constant: \"pong\"", "constant: \"" + answer + "\"");
    }

    /** Saves the file and waits for its one refusal line; returns it. */
    private String refused(Path file, String content) throws IOException {
        long before = relay.count(REFUSED);
        RouteFiles.save(file, content);
        await("refused").atMost(RELOAD).until(() -> relay.count(REFUSED) > before);
        List<String> lines = relay.linesSinceMark().stream().filter(l -> l.contains(REFUSED)).toList();
        assertEquals(before + 1, lines.size(), "one line per refused file: " + lines);
        return lines.get(lines.size() - 1);
    }

    private void assertEveryRouteRuns(String pingAnswer) throws Exception {
        assertEquals(pingAnswer, ping());
        assertEquals(200, relay.readyStatus());
        assertFalse(relay.log().contains("\tat "), "no stack trace in the log");
    }

    @Test
    @Order(1)
    void aValidEditIsApplied() throws Exception {
        assertEquals(SHIPPED, ping());
        RouteFiles.save(api, apiWithPing("pong-2"));
        await("edit applied").atMost(RELOAD).ignoreExceptions()
                .until(() -> relay.count("route reload applied: ") == 1 && ping().equals("pong-2"));
    }

    @Test
    @Order(2)
    void aFileThatDoesNotParseIsRefusedAndEveryRouteKeepsRunning() throws Exception {
        String line = refused(api, apiWithPing("pong-3") + "\n- route: [unclosed\n");
        assertTrue(line.contains("60-api.yaml") && line.contains("every running route keeps running"), line);
        assertEveryRouteRuns(SHIPPED);
    }

    @Test
    @Order(3)
    void aFileWhoseRoutesFailToStartIsRefusedAndItsLastVersionPutBack() throws Exception {
        String line = refused(api, apiWithPing("pong-4").replace("ref: relayApi", "ref: noSuchBean"));
        assertTrue(line.contains("60-api.yaml") && line.contains("last working version is put back"), line);
        assertEveryRouteRuns(SHIPPED);
        assertEquals(200, OperatorApiIT.get(relay, "/api/topology", null).statusCode(), "the other API routes too");
    }

    @Test
    @Order(4)
    void anEditedRouteTemplateIsRefusedUntilARestart() throws Exception {
        Path templates = workDir.resolve("routes/35-destination.yaml");
        String line = refused(templates, Files.readString(templates) + "\n# edited\n");
        assertTrue(line.contains("route templates"), line);
        assertEveryRouteRuns(SHIPPED);
    }

    @Test
    @Order(5)
    void theFixedFileIsAppliedAndFailoversAreStillFollowed() throws Exception {
        RouteFiles.save(api, apiWithPing("pong-5"));
        await("fixed file applied").atMost(RELOAD).ignoreExceptions().until(() -> ping().equals("pong-5"));

        long updates = relay.count("haproxy updated: mymaster");
        int newMaster = sandbox.failover();
        sandbox.awaitClientsReach(newMaster);
        assertEquals(newMaster, sandbox.haproxyServerPort());
        assertTrue(relay.count("haproxy updated: mymaster") > updates, relay.tail());
        sandbox.awaitSentinelsSettled();
    }
}
