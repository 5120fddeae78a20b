package dev.sentinelrelay.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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
 * docs/routes.md's "Adding a destination", done as an operator does it while the relay runs (route hot-reload on):
 * examples/routes/80-audit.yaml copied into routes/, then one line added to the multicast in routes/30-resolve.yaml.
 * Both edits apply without a restart, and a verified failover becomes one JSON line.
 */
class AuditExampleIT extends SandboxIT {

    private static final String MULTICAST_LAST = "                        - to: direct:read-pool\n";
    private static final Duration RELOAD = Duration.ofSeconds(30);
    private static final String APPLIED = "route reload applied: ";
    private Path workDir;

    @BeforeAll
    void start() throws Exception {
        workDir = Files.createTempDirectory("sentinel-relay-audit-it-");
        Path routes = Files.createDirectories(workDir.resolve("routes"));
        try (Stream<Path> files = Files.list(Sandbox.HOME.resolve("routes"))) {
            for (Path route : files.toList()) {
                Files.copy(route, routes.resolve(route.getFileName()));
            }
        }
        sandbox = Sandbox.start();
        relay = Relay.start(sandbox, Map.of("relay.data.dir", sandbox.dir.resolve("data").toString(),
                "relay.routes.reload", "true"), Map.of(), workDir);
        await("reload watching").atMost(RELOAD).until(() -> relay.count("route hot-reload on") == 1);

        // the destination's route first, so the multicast never names a route that does not run yet
        RouteFiles.save(routes.resolve("80-audit.yaml"), Files.readString(Sandbox.HOME.resolve("examples/routes/80-audit.yaml")));
        await("audit route applied").atMost(RELOAD).until(() -> relay.count(APPLIED) == 1);
        Path resolve = routes.resolve("30-resolve.yaml");
        String yaml = Files.readString(resolve);
        assertTrue(yaml.contains(MULTICAST_LAST), "the multicast's last line, as docs/routes.md shows it");
        RouteFiles.save(resolve, yaml.replace(MULTICAST_LAST, MULTICAST_LAST + "                        - to: direct:audit\n"));
        await("multicast applied").atMost(RELOAD).until(() -> relay.count(APPLIED) == 2);
    }

    @AfterAll
    void deleteWorkDir() {
        relay.close(); // before its routes disappear
        Sandbox.keepLogsAndDelete(workDir);
    }

    @Test
    void aVerifiedFailoverIsAppendedAsAJsonLine() throws Exception {
        Path audit = relay.dataDir().resolve("failovers.jsonl");
        assertFalse(Files.exists(audit), "the start-up reconciles are no failovers");

        int newMaster = sandbox.failover();

        String now = "127.0.0.1:" + newMaster;
        await("the failover audited").atMost(Duration.ofSeconds(30)).until(() -> lines(audit).stream()
                .anyMatch(l -> l.contains("\"now\":\"" + now + "\"")));
        JsonNode line = new ObjectMapper().readTree(lines(audit).stream()
                .filter(l -> l.contains("\"now\":\"" + now + "\"")).findFirst().orElseThrow());
        assertEquals("mymaster", line.get("master").asText());
        assertTrue(line.get("trigger").asText().matches("\\+[a-z-]+ mymaster .*"), "an event led to it: " + line);
        assertFalse(line.get("time").asText().isEmpty(), line.toString());
        sandbox.awaitSentinelsSettled();
    }

    private static List<String> lines(Path file) throws Exception {
        return Files.exists(file) ? Files.readAllLines(file) : List.of();
    }
}
