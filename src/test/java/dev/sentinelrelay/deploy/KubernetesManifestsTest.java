package dev.sentinelrelay.deploy;

import dev.sentinelrelay.configuration.RelayConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/kubernetes/ read into fabric8's typed models, as an API server would take them: every document a known kind
 * and no field the model does not know (fabric8 keeps those in additionalProperties instead of failing, so they are
 * looked for); the container's command the one bin/relay runs; the Role's verbs those the code calls; the
 * configuration accepted by the relay's own validation.
 */
class KubernetesManifestsTest {

    private static final Path DIR = Path.of("deploy/kubernetes");

    @Test
    void everyDocumentIsAKnownKindWithOnlyKnownFields() throws IOException {
        List<HasMetadata> objects = objects();
        assertEquals(Set.of("ServiceAccount", "Role", "RoleBinding", "ConfigMap", "Secret", "Deployment",
                "PodDisruptionBudget", "Service"), objects.stream().map(HasMetadata::getKind).collect(Collectors.toSet()));
        List<String> unknown = new ArrayList<>();
        for (HasMetadata o : objects) {
            assertNotEquals(GenericKubernetesResource.class, o.getClass(), "not a known kind: " + o.getKind());
            unknownFields(o, o.getKind() + "/" + o.getMetadata().getName(), unknown);
        }
        assertEquals(List.of(), unknown);
    }

    @Test
    void theCheckCatchesAMisspelledFieldAndAWrongKind() {
        Object typo = Serialization.unmarshal("apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {selectr: {a: b}}\n");
        List<String> unknown = new ArrayList<>();
        unknownFields(typo, "Service/x", unknown);
        assertEquals(List.of("Service/x.Spec: unknown [selectr]"), unknown);
        assertInstanceOf(GenericKubernetesResource.class,
                Serialization.unmarshal("apiVersion: apps/v1\nkind: Deploymnt\nmetadata: {name: x}\n"));
    }

    @Test
    void theContainerRunsWhatBinRelayRuns() throws IOException {
        Deployment deployment = only(Deployment.class);
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        Container relay = pod.getContainers().get(0);
        String dockerfile = Files.readString(Path.of("Dockerfile"));
        // the runtime stage: what follows the last FROM
        String workDir = match(dockerfile.substring(dockerfile.lastIndexOf("\nFROM ")), "(?m)^WORKDIR (\\S+)$");
        assertEquals(workDir, relay.getWorkingDir(), "bin/relay runs from the directory that holds routes/");
        // bin/relay run: exec java "@$ROOT/config/jvm.options" -Drelay.config="$CONFIG" "${java_opts[@]}" -jar "$JAR" "$@"
        String run = match(Files.readString(Path.of("bin/relay")), "(?m)^\\s*exec (java \"@.*-jar \"\\$JAR\".*)$");
        List<String> shape = Stream.of(run.split(" ")).map(t -> t.replace("\"", ""))
                .filter(t -> !t.startsWith("${java_opts") && !t.equals("$@")).toList();
        List<String> command = relay.getCommand();
        assertEquals(shape.size(), command.size(), shape + " vs " + command);
        assertEquals("java", command.get(0));
        assertTrue(command.get(1).startsWith("@") && command.get(1).endsWith("/jvm.options"), command.get(1));
        assertTrue(dockerfile.contains("COPY config/jvm.options " + command.get(1).substring(1)), "jvm.options in the image");
        assertTrue(shape.get(2).startsWith("-Drelay.config=") && command.get(2).startsWith("-Drelay.config="));
        assertEquals("-jar", command.get(3));
        assertTrue(dockerfile.contains("sentinel-relay.jar " + command.get(4)), "the jar where the image has it");
        Map<String, String> mounts = relay.getVolumeMounts().stream()
                .collect(Collectors.toMap(VolumeMount::getMountPath, VolumeMount::getName));
        assertEquals("config", mounts.get(Path.of(command.get(2).substring("-Drelay.config=".length())).getParent().toString()));
        assertEquals("routes", mounts.get(workDir + "/routes"));
    }

    @Test
    void nonRootOnAReadOnlyRootWithProbesOnTheHealthApiAndWritableDataAndTmp() throws IOException {
        PodSpec pod = only(Deployment.class).getSpec().getTemplate().getSpec();
        Container relay = pod.getContainers().get(0);
        assertEquals(3, only(Deployment.class).getSpec().getReplicas());
        assertTrue(pod.getSecurityContext().getRunAsNonRoot());
        assertTrue(relay.getSecurityContext().getReadOnlyRootFilesystem());
        assertEquals("/health/live", relay.getLivenessProbe().getHttpGet().getPath());
        assertEquals("/health/ready", relay.getReadinessProbe().getHttpGet().getPath());
        String api = Files.readString(Path.of("routes/60-api.yaml"));
        assertTrue(api.contains("platform-http:/health/live") && api.contains("platform-http:/health/ready"));
        Map<String, Volume> volumes = pod.getVolumes().stream().collect(Collectors.toMap(Volume::getName, v -> v));
        String dataDir = relay.getEnv().stream().filter(e -> e.getName().equals("RELAY_DATA_DIR"))
                .map(EnvVar::getValue).findFirst().orElseThrow();
        for (String writable : List.of(dataDir, "/tmp")) {
            VolumeMount mount = relay.getVolumeMounts().stream().filter(m -> m.getMountPath().equals(writable))
                    .findFirst().orElseThrow(() -> new AssertionError("nothing writable at " + writable));
            assertTrue(volumes.get(mount.getName()).getEmptyDir() != null, writable + " is an emptyDir");
        }
        assertEquals("sentinel-relay-routes", volumes.get("routes").getConfigMap().getName());
    }

    @Test
    void theRoleGrantsExactlyTheVerbsTheCodeCalls() throws IOException {
        Map<String, Set<String>> granted = new TreeMap<>();
        for (PolicyRule rule : only(Role.class).getRules()) {
            rule.getResources().forEach(r -> granted.computeIfAbsent(r, k -> new TreeSet<>()).addAll(rule.getVerbs()));
        }
        Map<String, Set<String>> called = new TreeMap<>();
        String main = "src/main/java/dev/sentinelrelay/";
        String calls = "\\.(get|create|update|delete|patch|list|watch|edit)\\(";
        called.put("leases", verbs(Files.readString(Path.of(main + "cluster/LeaseStore.java")), calls));
        called.put("configmaps", verbs(Files.readString(Path.of(main + "alerts/ConfigMapDeliveredAlerts.java")), calls));
        String api = Files.readString(Path.of(main + "destinations/kubernetes/KubernetesApi.java"));
        Set<String> services = verbs(api, "call\\(\"(\\w+)\", SERVICES");
        Set<String> slices = verbs(api, "call\\(\"(\\w+)\", SLICES");
        // the read-backs: services().get() and endpointSlices()...get()
        services.add("get");
        slices.add("get");
        called.put("services", services);
        called.put("endpointslices", slices);
        assertEquals(called, granted);
    }

    @Test
    void theConfigurationPassesTheRelaysOwnValidation() throws IOException {
        Properties properties = new Properties();
        properties.load(new StringReader(only(ConfigMap.class).getData().get("application.properties")));
        // what the Deployment sets from the downward API
        properties.setProperty("relay.cluster.instance", "sentinel-relay-7d9f8-abcde");
        RelayConfig config = RelayConfig.from(properties::getProperty);
        assertTrue(config.electsOnLease());
        assertTrue(config.kubernetesEnabled());
    }

    // ---- reading ------------------------------------------------------------------------------------------

    private static List<HasMetadata> objects() throws IOException {
        List<HasMetadata> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(DIR)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                if (file.getFileName().toString().equals("kustomization.yaml")) {
                    continue;
                }
                for (String document : Files.readString(file).split("(?m)^---$")) {
                    if (!document.strip().lines().allMatch(l -> l.isBlank() || l.strip().startsWith("#"))) {
                        out.add(Serialization.unmarshal(document));
                    }
                }
            }
        }
        return out;
    }

    private static <T> T only(Class<T> type) throws IOException {
        List<T> found = objects().stream().filter(type::isInstance).map(type::cast).toList();
        assertEquals(1, found.size(), type.getSimpleName());
        return found.get(0);
    }

    private static String match(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), regex);
        return m.group(1);
    }

    private static Set<String> verbs(String source, String regex) {
        Set<String> out = new TreeSet<>();
        Matcher m = Pattern.compile(regex).matcher(source);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** Fields fabric8 did not know, found in the additionalProperties of every model object under {@code o}. */
    private static void unknownFields(Object o, String path, List<String> out) {
        if (o instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                unknownFields(item, path + "[" + i++ + "]", out);
            }
            return;
        }
        if (o instanceof Map<?, ?> map) {
            map.forEach((k, v) -> unknownFields(v, path + "." + k, out));
            return;
        }
        if (o == null || !o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method getter : o.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get")
                    || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value;
            try {
                value = getter.invoke(o);
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    out.add(path + ": unknown " + new TreeSet<>(extra.keySet().stream().map(String::valueOf).toList()));
                }
            } else {
                unknownFields(value, path + "." + getter.getName().substring(3), out);
            }
        }
    }
}
