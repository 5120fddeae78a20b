package dev.sentinelrelay.ops;

import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The routes directory as a Kubernetes ConfigMap volume: every file a link into {@code ..data}, updated the way the
 * kubelet does it (a new timestamped directory, {@code ..data_tmp} linked to it and renamed over {@code ..data}, the
 * old directory removed). An edit made so reaches the running routes; so does a second one.
 */
class ConfigMapRouteReloadTest {

    private static final Duration RELOAD = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    private CamelContext context;
    private int version;

    @BeforeEach
    void start() throws Exception {
        update(Map.of("60-ping.yaml", ping("pong"), "61-other.yaml", other()));
        context = new DefaultCamelContext();
        for (String file : new String[]{"60-ping.yaml", "61-other.yaml"}) {
            Path route = dir.resolve(file);
            context.addRoutes(PluginHelper.getRoutesLoader(context).findRoutesBuilders(
                    ResourceHelper.fromString("file:" + route, Files.readString(route))).iterator().next());
        }
        context.addService(new SafeRouteReload(dir, "*.yaml"), true, true);
        context.start();
    }

    @AfterEach
    void stop() throws Exception {
        context.close();
    }

    @Test
    void anEditSwappedInByTheKubeletIsApplied() throws Exception {
        ProducerTemplate producer = context.createProducerTemplate();
        assertEquals("pong", producer.requestBody("direct:ping", "", String.class));
        Path link = dir.resolve("60-ping.yaml");
        assertEquals(Path.of("..data/60-ping.yaml"), Files.readSymbolicLink(link), "a ConfigMap volume's layout");

        update(Map.of("60-ping.yaml", ping("pong from the configmap"), "61-other.yaml", other()));
        await("the swapped edit applied").atMost(RELOAD)
                .until(() -> producer.requestBody("direct:ping", "", String.class).equals("pong from the configmap"));
        update(Map.of("60-ping.yaml", ping("pong again"), "61-other.yaml", other()));
        await("a second swap applied").atMost(RELOAD)
                .until(() -> producer.requestBody("direct:ping", "", String.class).equals("pong again"));
        assertEquals("other", producer.requestBody("direct:other", "", String.class));
    }

    /** What the kubelet's atomic writer does for a ConfigMap update. */
    private void update(Map<String, String> files) throws IOException {
        Path data = dir.resolve("..data");
        Path old = Files.isSymbolicLink(data) ? dir.resolve(Files.readSymbolicLink(data)) : null;
        String stamp = "..2026_12_08_02_40_0" + version++ + ".123456789";
        Path fresh = Files.createDirectory(dir.resolve(stamp));
        for (Map.Entry<String, String> f : files.entrySet()) {
            Files.writeString(fresh.resolve(f.getKey()), f.getValue());
        }
        Path tmp = Files.createSymbolicLink(dir.resolve("..data_tmp"), Path.of(stamp));
        Files.move(tmp, data, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        for (String name : files.keySet()) {
            Path link = dir.resolve(name);
            if (!Files.isSymbolicLink(link)) {
                Files.createSymbolicLink(link, Path.of("..data", name));
            }
        }
        if (old != null) {
            try (var stale = Files.list(old)) {
                for (Path p : stale.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(old);
        }
    }

    private static String ping(String answer) {
        return """
                - route:
                    id: ping
                    from:
                      uri: direct:ping
                      steps:
                        - setBody:
                            constant: "%s"
                """.formatted(answer);
    }

    private static String other() {
        return """
                - route:
                    id: other
                    from:
                      uri: direct:other
                      steps:
                        - setBody:
                            constant: "other"
                """;
    }
}
