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
 * The README's "Adding a destination", done as an operator does it: examples/routes/80-audit.yaml copied into
 * routes/ and one line added to the multicast in routes/30-resolve.yaml. A verified failover becomes one JSON line.
 */
class AuditExampleIT extends SandboxIT {

    private static final String MULTICAST_LAST = "                        - to: direct:read-pool\n";
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
        Files.copy(Sandbox.HOME.resolve("examples/routes/80-audit.yaml"), routes.resolve("80-audit.yaml"));
        Path resolve = routes.resolve("30-resolve.yaml");
        String yaml = Files.readString(resolve);
        assertTrue(yaml.contains(MULTICAST_LAST), "the multicast's last line, as the README shows it");
        Files.writeString(resolve, yaml.replace(MULTICAST_LAST, MULTICAST_LAST + "                        - to: direct:audit\n"));
        sandbox = Sandbox.start();
        relay = Relay.start(sandbox, Map.of("relay.data.dir", sandbox.dir.resolve("data").toString()), Map.of(), workDir);
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
