package dev.sentinelrelay;

import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.configuration.RelayConfig;
import dev.sentinelrelay.configuration.RelayProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The packaging files, checked without Docker or systemd (neither runs on the test machines): the compose example's
 * services, ports and mounted paths, and that its relay configuration points at its own sentinels and HAProxy; the
 * systemd unit's commands and exit-code handling.
 */
class PackagingTest {

    private static final Path REPO = Path.of("").toAbsolutePath();
    private static final Path COMPOSE_DIR = REPO.resolve("examples/compose");

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> services() throws IOException {
        Object compose = new Load(LoadSettings.builder().build())
                .loadFromString(Files.readString(COMPOSE_DIR.resolve("compose.yaml")));
        return (Map<String, Map<String, Object>>) ((Map<String, Object>) compose).get("services");
    }

    @SuppressWarnings("unchecked")
    private static List<String> list(Map<String, Object> service, String key) {
        Object value = service.get(key);
        return value == null ? List.of() : (List<String>) value;
    }

    /** The host side of every volume, as a path in the repository (it must exist there). */
    private static Map<String, Path> mounts(Map<String, Object> service) {
        Map<String, Path> out = new LinkedHashMap<>();
        for (String volume : list(service, "volumes")) {
            String[] parts = volume.split(":");
            Path host = COMPOSE_DIR.resolve(parts[0]).normalize();
            assertTrue(host.startsWith(REPO) && Files.exists(host), "mounted path missing from the repository: " + volume);
            out.put(parts[1], host);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> environment(Map<String, Object> service) {
        return (Map<String, String>) service.getOrDefault("environment", Map.of());
    }

    private static int port(String hostPort) {
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }

    @Test
    void composeRunsThreeRedisThreeSentinelsHaproxyAndTheRelay() throws IOException {
        Map<String, Map<String, Object>> services = services();
        assertEquals(Set.of("redis-1", "redis-2", "redis-3", "sentinel-1", "sentinel-2", "sentinel-3", "haproxy", "relay"),
                services.keySet());
        services.forEach((name, service) -> {
            assertTrue(service.containsKey("image") != service.containsKey("build"), name + ": an image or a build");
            mounts(service);
            for (Object dependency : list(service, "depends_on")) {
                assertTrue(services.containsKey(dependency), name + " depends on unknown " + dependency);
            }
            for (String mapping : list(service, "ports")) {
                assertTrue(mapping.matches("(127\\.0\\.0\\.1:)?\\d{1,5}:\\d{1,5}"), name + ": port " + mapping);
            }
        });
        @SuppressWarnings("unchecked")
        Path context = COMPOSE_DIR.resolve((String) ((Map<String, Object>) services.get("relay").get("build")).get("context"))
                .normalize();
        assertTrue(Files.exists(context.resolve("Dockerfile")), "the relay's build context has the Dockerfile");
        assertEquals(REPO, context);
    }

    @Test
    void theReplicasAndSentinelsFollowRedis1() throws IOException {
        Map<String, Map<String, Object>> services = services();
        for (String replica : List.of("redis-2", "redis-3")) {
            String command = String.join(" ", list(services.get(replica), "command"));
            assertTrue(command.contains("--replicaof redis-1 6379"), replica + ": " + command);
        }
        for (String sentinel : List.of("sentinel-1", "sentinel-2", "sentinel-3")) {
            String conf = Files.readString(mounts(services.get(sentinel)).get("/etc/redis/sentinel.conf"));
            assertTrue(conf.contains("sentinel monitor mymaster redis-1 6379 2"), conf);
            assertTrue(conf.contains("port 26379"), conf);
            assertTrue(String.join(" ", list(services.get(sentinel), "command")).contains("/etc/redis/sentinel.conf"));
        }
    }

    @Test
    void haproxyRunsTheShippedConfigWithItsVariablesSetAndPublishesTheFrontend() throws IOException {
        Map<String, Object> haproxy = services().get("haproxy");
        Path cfg = mounts(haproxy).get("/usr/local/etc/haproxy/haproxy.cfg");
        assertEquals(REPO.resolve("config/haproxy/addr.cfg"), cfg);
        Matcher variables = Pattern.compile("\"\\$\\{([A-Z_]+)}\"").matcher(Files.readString(cfg));
        Map<String, String> env = environment(haproxy);
        while (variables.find()) {
            assertTrue(env.containsKey(variables.group(1)), "haproxy.cfg needs " + variables.group(1));
        }
        assertEquals(List.of("127.0.0.1:6380:" + port(env.get("FRONTEND_ADDR"))), list(haproxy, "ports"));
        assertTrue(env.get("INITIAL_MASTER").startsWith("redis-1:"));
    }

    @Test
    void theRelayConfigurationIsValidAndPointsAtTheComposeServices() throws IOException {
        Map<String, Map<String, Object>> services = services();
        Map<String, Object> relay = services.get("relay");
        Map<String, Path> mounts = mounts(relay);
        assertEquals(REPO.resolve("routes"), mounts.get("/app/routes"));
        Properties file = new Properties();
        // the file alone is mounted, so the image's config/templates stays visible for alerts
        assertEquals(null, mounts.get("/app/config"), "mounting a directory over /app/config hides the templates");
        try (var in = Files.newBufferedReader(mounts.get("/app/config/application.properties"))) {
            file.load(in);
        }
        RelayConfig config = RelayConfig.from(new RelayProperties(file, Map.of(), new Properties()));
        for (HostPort sentinel : config.sentinels()) {
            assertTrue(services.containsKey(sentinel.host()), "no service " + sentinel.host());
            assertEquals(26379, sentinel.port());
        }
        assertEquals(3, config.sentinels().size());
        String adminAddr = environment(services.get("haproxy")).get("ADMIN_ADDR");
        assertEquals("tcp:haproxy:" + port(adminAddr), config.haproxyEndpoints().get(0).toString());
        String cfg = Files.readString(REPO.resolve("config/haproxy/addr.cfg"));
        RelayConfig.HaproxyTarget target = config.haproxyTargets().get("mymaster");
        assertTrue(cfg.contains("backend " + target.backend()) && cfg.contains("server " + target.server() + " "));
        // the image listens on 0.0.0.0:<relay.api.port>; compose publishes exactly that port
        assertEquals(List.of("127.0.0.1:" + config.apiPort() + ":" + config.apiPort()), list(relay, "ports"));
    }

    @Test
    void theSystemdUnitRunsBinRelayChecksTheConfigurationFirstAndDoesNotRestartOnAnInvalidOne() throws IOException {
        Map<String, List<String>> unit = new LinkedHashMap<>();
        for (String line : Files.readAllLines(REPO.resolve("config/systemd/sentinel-relay.service"))) {
            if (line.isBlank() || line.startsWith("#") || line.startsWith("[")) {
                continue;
            }
            int eq = line.indexOf('=');
            unit.computeIfAbsent(line.substring(0, eq), k -> new ArrayList<>()).add(line.substring(eq + 1));
        }
        String root = unit.get("WorkingDirectory").get(0);
        assertEquals(List.of(root + "/bin/relay run"), unit.get("ExecStart"));
        assertEquals(List.of(root + "/bin/relay check-config /etc/sentinel-relay"), unit.get("ExecStartPre"));
        String relayScript = Files.readString(REPO.resolve("bin/relay"));
        assertTrue(relayScript.contains("    run)") && relayScript.contains("    check-config)"), "bin/relay has both commands");
        assertTrue(Files.isExecutable(REPO.resolve("bin/relay")));
        assertEquals(List.of(String.valueOf(RelayMain.EXIT_CONFIG)), unit.get("RestartPreventExitStatus"));
        assertTrue(unit.get("Environment").contains("JAVA_OPTS=-Drelay.config=/etc/sentinel-relay/application.properties"));
        assertTrue(unit.get("Environment").contains("RELAY_DATA_DIR=/var/lib/sentinel-relay"));
        assertTrue(unit.get("ReadWritePaths").get(0).contains("/var/lib/sentinel-relay"), "the data dir is writable");
        assertEquals(List.of("multi-user.target"), unit.get("WantedBy"));
    }

    /** systemd's own check, where systemd-analyze exists, on the unit with /opt/sentinel-relay as this repository. */
    @Test
    void systemdAnalyzeVerifiesTheUnit(@TempDir Path dir) throws Exception {
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        assumeTrue(Files.isExecutable(analyze), "systemd-analyze is not installed");
        Path unit = dir.resolve("sentinel-relay.service");
        Files.writeString(unit, Files.readString(REPO.resolve("config/systemd/sentinel-relay.service"))
                .replace("/opt/sentinel-relay", REPO.toString()));
        Process verify = new ProcessBuilder(analyze.toString(), "verify", unit.toString()).redirectErrorStream(true).start();
        String output = new String(verify.getInputStream().readAllBytes());
        assertTrue(verify.waitFor(60, TimeUnit.SECONDS), "systemd-analyze did not finish");
        assertEquals(0, verify.exitValue(), output);
        assertEquals("", output.strip(), "no warnings");
    }
}
