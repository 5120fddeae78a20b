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
import java.util.HashSet;
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
 * systemd unit's commands and exit-code handling; the three-relay examples (examples/compose/cluster.yaml,
 * config/systemd/cluster): one ZooKeeper ensemble that grants the relays' session timeout, valid relay configurations.
 */
class PackagingTest {

    private static final Path REPO = Path.of("").toAbsolutePath();
    private static final Path COMPOSE_DIR = REPO.resolve("examples/compose");

    private static Map<String, Map<String, Object>> services() throws IOException {
        return services("compose.yaml");
    }

    /** The services of a compose file in examples/compose, its YAML merge keys ({@code <<: *anchor}) applied. */
    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> services(String file) throws IOException {
        Object compose = new Load(LoadSettings.builder().build())
                .loadFromString(Files.readString(COMPOSE_DIR.resolve(file)));
        return (Map<String, Map<String, Object>>) merged(((Map<String, Object>) compose).get("services"));
    }

    /** snakeyaml-engine reads YAML 1.2, which has no merge key: a {@code <<} entry is merged here, as Compose does. */
    @SuppressWarnings("unchecked")
    private static Object merged(Object node) {
        if (!(node instanceof Map)) {
            return node;
        }
        Map<String, Object> map = (Map<String, Object>) node;
        Map<String, Object> out = new LinkedHashMap<>();
        if (map.get("<<") instanceof Map<?, ?> base) {
            out.putAll((Map<String, Object>) merged(base));
        }
        map.forEach((key, value) -> {
            if (!key.equals("<<")) {
                out.put(key, merged(value));
            }
        });
        return out;
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

    /** Every mounted path exists in the repository, every dependency is a service, every port is published right. */
    private static void assertMountsDependenciesAndPorts(Map<String, Map<String, Object>> services, String name,
            Map<String, Object> service) {
        mounts(service);
        for (Object dependency : list(service, "depends_on")) {
            assertTrue(services.containsKey(dependency), name + " depends on unknown " + dependency);
        }
        for (String mapping : list(service, "ports")) {
            assertTrue(mapping.matches("(127\\.0\\.0\\.1:)?\\d{1,5}:\\d{1,5}"), name + ": port " + mapping);
        }
    }

    @Test
    void composeRunsThreeRedisThreeSentinelsHaproxyAndTheRelay() throws IOException {
        Map<String, Map<String, Object>> services = services();
        assertEquals(Set.of("redis-1", "redis-2", "redis-3", "sentinel-1", "sentinel-2", "sentinel-3", "haproxy", "relay"),
                services.keySet());
        services.forEach((name, service) -> {
            assertTrue(service.containsKey("image") != service.containsKey("build"), name + ": an image or a build");
            assertMountsDependenciesAndPorts(services, name, service);
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
        // a variable used only inside ".if defined(VAR)" is optional (REDIS_TLS_*: TLS to Redis)
        String required = Files.readString(cfg).replaceAll("(?ms)^\\.if defined\\(([A-Z_]+)\\)$.*?^\\.endif$", "");
        Matcher variables = Pattern.compile("\"\\$\\{([A-Z_]+)}\"").matcher(required);
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

    private static final List<String> ZOOKEEPERS = List.of("zookeeper-1", "zookeeper-2", "zookeeper-3");
    private static final List<String> CLUSTER_RELAYS = List.of("relay-1", "relay-2", "relay-3");

    @Test
    void theClusterExampleRunsComposeYamlsServersThreeZooKeeperNodesAndThreeRelays() throws IOException {
        Map<String, Map<String, Object>> single = services();
        Map<String, Map<String, Object>> services = services("cluster.yaml");
        Set<String> expected = new HashSet<>(single.keySet());
        expected.remove("relay");
        expected.addAll(ZOOKEEPERS);
        expected.addAll(CLUSTER_RELAYS);
        assertEquals(expected, services.keySet());
        Set<String> hostPorts = new HashSet<>();
        services.forEach((name, service) -> {
            @SuppressWarnings("unchecked")
            Map<String, String> base = (Map<String, String>) service.get("extends");
            if (base != null) {
                // Redis, the sentinels and HAProxy are compose.yaml's own
                assertEquals(Map.of("file", "compose.yaml", "service", name), base, name);
                assertEquals(list(single.get(name), "depends_on"), list(service, "depends_on"), name);
            } else {
                assertTrue(service.containsKey("image") != service.containsKey("build"), name + ": an image or a build");
            }
            assertMountsDependenciesAndPorts(services, name, service);
            for (String mapping : list(service, "ports")) {
                assertTrue(hostPorts.add(mapping.substring(0, mapping.lastIndexOf(':'))), name + ": host port taken: " + mapping);
            }
        });
        for (String relay : CLUSTER_RELAYS) {
            Map<String, Object> service = services.get(relay);
            // the same image and mounts as compose.yaml's relay
            assertEquals(single.get("relay").get("build"), service.get("build"), relay);
            assertEquals(list(single.get("relay"), "volumes"), list(service, "volumes"), relay);
            assertTrue(list(service, "depends_on").containsAll(ZOOKEEPERS), relay + " starts after ZooKeeper");
        }
    }

    @Test
    void theClusterExampleZooKeeperNodesFormOneEnsembleThatGrantsTheRelaysSessionTimeout() throws IOException {
        Map<String, Map<String, Object>> services = services("cluster.yaml");
        for (int id = 1; id <= ZOOKEEPERS.size(); id++) {
            Map<String, String> env = environment(services.get(ZOOKEEPERS.get(id - 1)));
            assertEquals(String.valueOf(id), env.get("ZOO_MY_ID"));
            List<String> servers = List.of(env.get("ZOO_SERVERS").split(" "));
            assertEquals(ZOOKEEPERS.size(), servers.size());
            for (int peer = 1; peer <= ZOOKEEPERS.size(); peer++) {
                assertTrue(servers.contains("server." + peer + "=" + ZOOKEEPERS.get(peer - 1) + ":2888:3888;2181"),
                        servers.toString());
            }
            Properties zoo = new Properties();
            zoo.setProperty("tickTime", env.get("ZOO_TICK_TIME"));
            for (String entry : env.get("ZOO_CFG_EXTRA").split(" ")) {
                zoo.setProperty(entry.substring(0, entry.indexOf('=')), entry.substring(entry.indexOf('=') + 1));
            }
            for (String relay : CLUSTER_RELAYS) {
                assertGranted(zoo, relayConfig(services, relay).cluster().sessionTimeout().toMillis());
            }
        }
    }

    @Test
    void theClusterExampleRelaysShareOneValidConfigurationEachWithItsOwnInstanceAndPort() throws IOException {
        Map<String, Map<String, Object>> services = services("cluster.yaml");
        Set<String> instances = new HashSet<>();
        for (String relay : CLUSTER_RELAYS) {
            RelayConfig config = relayConfig(services, relay);
            assertEquals(ZOOKEEPERS.stream().map(zk -> zk + ":2181").toList(),
                    List.of(config.cluster().zookeeper().split(",")));
            assertTrue(instances.add(config.cluster().instance()), "instance ids are unique: " + instances);
            assertEquals(relay, config.cluster().instance());
            assertEquals(1, list(services.get(relay), "ports").size());
            assertTrue(list(services.get(relay), "ports").get(0).endsWith(":" + config.apiPort()), relay);
        }
    }

    private static RelayConfig relayConfig(Map<String, Map<String, Object>> services, String relay) throws IOException {
        Properties file = new Properties();
        try (var in = Files.newBufferedReader(mounts(services.get(relay)).get("/app/config/application.properties"))) {
            file.load(in);
        }
        return RelayConfig.from(new RelayProperties(file, environment(services.get(relay)), new Properties()));
    }

    /** ZooKeeper grants a session timeout within [minSessionTimeout, maxSessionTimeout], by default 2 and 20 ticks. */
    private static void assertGranted(Properties zoo, long sessionTimeoutMillis) {
        long tick = Long.parseLong(zoo.getProperty("tickTime"));
        long min = Long.parseLong(zoo.getProperty("minSessionTimeout", String.valueOf(2 * tick)));
        long max = Long.parseLong(zoo.getProperty("maxSessionTimeout", String.valueOf(20 * tick)));
        assertTrue(min <= sessionTimeoutMillis && sessionTimeoutMillis <= max,
                sessionTimeoutMillis + " ms is outside ZooKeeper's [" + min + ", " + max + "] ms");
    }

    @Test
    void theSystemdClusterExampleAddsValidClusterKeysThatItsEnsembleGrants() throws IOException {
        Path dir = REPO.resolve("config/systemd/cluster");
        Properties zoo = new Properties();
        try (var in = Files.newBufferedReader(dir.resolve("zoo.cfg"))) {
            zoo.load(in);
        }
        // the relay's configuration on a host: the shipped one with the cluster keys appended, the id from the drop-in
        Properties file = new Properties();
        try (var in = Files.newBufferedReader(REPO.resolve("examples/compose/relay/application.properties"))) {
            file.load(in);
        }
        try (var in = Files.newBufferedReader(dir.resolve("cluster.properties"))) {
            file.load(in);
        }
        String dropIn = Files.readString(dir.resolve("sentinel-relay.service.d/cluster.conf"));
        assertTrue(dropIn.contains("\nEnvironment=RELAY_CLUSTER_INSTANCE=%H\n"), dropIn);
        RelayConfig config = RelayConfig.from(new RelayProperties(file, Map.of("RELAY_CLUSTER_INSTANCE", "relay-a"),
                new Properties()));
        assertGranted(zoo, config.cluster().sessionTimeout().toMillis());
        // every ZooKeeper node of the ensemble, and nothing else, in the relays' connect string
        List<String> ensemble = new ArrayList<>();
        for (int id = 1; zoo.containsKey("server." + id); id++) {
            String server = zoo.getProperty("server." + id);
            ensemble.add(server.substring(0, server.indexOf(':')) + ":" + zoo.getProperty("clientPort"));
        }
        assertEquals(3, ensemble.size());
        assertEquals(ensemble, List.of(config.cluster().zookeeper().split(",")));
    }

    /** systemd's own check of the unit with the cluster drop-in, where systemd-analyze exists. */
    @Test
    void systemdAnalyzeVerifiesTheUnitWithTheClusterDropIn(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("sentinel-relay.service.d"));
        Files.copy(REPO.resolve("config/systemd/cluster/sentinel-relay.service.d/cluster.conf"),
                dir.resolve("sentinel-relay.service.d/cluster.conf"));
        assertSystemdAnalyzeVerifies(dir);
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
        assertSystemdAnalyzeVerifies(dir);
    }

    /**
     * {@code systemd-analyze verify} of the unit copied into {@code dir} (with /opt/sentinel-relay as this repository),
     * with the drop-ins in {@code dir}: no error, no warning. Skipped where systemd-analyze is not installed.
     */
    private static void assertSystemdAnalyzeVerifies(Path dir) throws Exception {
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        assumeTrue(Files.isExecutable(analyze), "systemd-analyze is not installed");
        Path unit = dir.resolve("sentinel-relay.service");
        Files.writeString(unit, Files.readString(REPO.resolve("config/systemd/sentinel-relay.service"))
                .replace("/opt/sentinel-relay", REPO.toString()));
        ProcessBuilder builder = new ProcessBuilder(analyze.toString(), "verify", unit.toString()).redirectErrorStream(true);
        // the unit's own directory first, so that systemd reads the drop-ins next to it
        builder.environment().put("SYSTEMD_UNIT_PATH", dir + ":");
        Process verify = builder.start();
        String output = new String(verify.getInputStream().readAllBytes());
        assertTrue(verify.waitFor(60, TimeUnit.SECONDS), "systemd-analyze did not finish");
        assertEquals(0, verify.exitValue(), output);
        assertEquals("", output.strip(), "no warnings");
    }
}
