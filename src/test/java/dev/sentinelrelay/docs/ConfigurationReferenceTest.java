package dev.sentinelrelay.docs;

import dev.sentinelrelay.configuration.OperatorConfig;
import dev.sentinelrelay.configuration.RelayConfig;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/configuration.md documents every key the relay reads, and names no key that does not exist. A key is in the
 * reference when it is the first cell of a table row; keys of one master or one alert channel are written as
 * {@code relay.haproxy.<master>.mode} and {@code relay.alerts.<channel>.url}.
 */
class ConfigurationReferenceTest {

    private static final Path REFERENCE = Path.of("docs/configuration.md");
    /** A key as the relay and Camel spell them, placeholders such as {@code <master>} allowed. */
    private static final String KEY = "(?:relay|camel)\\.[A-Za-z0-9<>._-]*[A-Za-z0-9>]";
    private static final Pattern TABLE_ROW_KEY = Pattern.compile("(?m)^\\|\\s*`(" + KEY + ")`\\s*\\|");
    private static final Pattern MENTIONED_KEY = Pattern.compile("`(" + KEY + ")`");
    private static final Pattern PLACEHOLDER = Pattern.compile("<[a-z]+>");

    /**
     * A configuration that takes every branch of the validation, so that every key it can read is asked for: the
     * three HAProxy modes, a read pool, Consul, Kubernetes, a cluster, a webhook and an email channel.
     */
    private static final Map<String, String> EVERY_BRANCH = Map.ofEntries(
            Map.entry("relay.sentinels", "127.0.0.1:26379"),
            Map.entry("relay.masters", "m1,m2,m3"),
            Map.entry("relay.haproxy.endpoints", "unix:/run/haproxy/admin.sock"),
            Map.entry("relay.haproxy.m1.backend", "b1"),
            Map.entry("relay.haproxy.m1.server", "s1"),
            Map.entry("relay.haproxy.m1.read-backend", "r1"),
            Map.entry("relay.haproxy.m2.mode", "state"),
            Map.entry("relay.haproxy.m2.backend", "b2"),
            Map.entry("relay.haproxy.m3.mode", "map"),
            Map.entry("relay.haproxy.m3.map-file", "/etc/haproxy/masters.map"),
            Map.entry("relay.haproxy.m3.backends", "n1,n2"),
            Map.entry("relay.haproxy.m3.reject-backend", "reject"),
            Map.entry("relay.consul.url", "http://127.0.0.1:8500"),
            Map.entry("relay.kubernetes.enabled", "true"),
            Map.entry("relay.cluster.zookeeper", "127.0.0.1:2181"),
            Map.entry("relay.alerts.channels", "hook,mail"),
            Map.entry("relay.alerts.hook.type", "webhook"),
            Map.entry("relay.alerts.hook.url", "https://example.com/hook"),
            Map.entry("relay.alerts.mail.type", "email"),
            Map.entry("relay.alerts.mail.smtp-host", "smtp.example.com"),
            Map.entry("relay.alerts.mail.from", "relay@example.com"),
            Map.entry("relay.alerts.mail.to", "ops@example.com"));

    @Test
    void everyKeyTheRelayReadsOrAnExampleSetsIsInTheReference() throws IOException {
        Set<String> documented = documentedKeys();
        Set<String> keys = new TreeSet<>(keysTheRelayReads());
        keys.addAll(exampleKeys());
        Set<String> missing = keys.stream().filter(key -> !matchesAny(documented, key)).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(Set.of(), missing, "keys the relay reads or an example configuration sets that " + REFERENCE
                + " does not document (add a table row: | `key` | default | meaning | example |; m1, m2, m3, hook and mail are"
                + " this test's masters and channels: write <master> and <channel>)");
    }

    @Test
    void theReferenceNamesNoKeyThatDoesNotExist() throws IOException {
        Set<String> read = keysTheRelayReads();
        Set<String> unknown = new TreeSet<>();
        Matcher m = MENTIONED_KEY.matcher(Files.readString(REFERENCE));
        while (m.find()) {
            String named = m.group(1);
            if (read.stream().noneMatch(key -> pattern(named).matcher(key).matches())) {
                unknown.add(named);
            }
        }
        assertEquals(Set.of(), unknown, REFERENCE + " names keys the relay does not read (renamed or removed?)");
    }

    /** The keys in the first column of the reference's tables. */
    private static Set<String> documentedKeys() throws IOException {
        Set<String> keys = new TreeSet<>();
        Matcher m = TABLE_ROW_KEY.matcher(Files.readString(REFERENCE));
        while (m.find()) {
            keys.add(m.group(1));
        }
        assertTrue(keys.size() > 50, "no key table found in " + REFERENCE + ": " + keys);
        return keys;
    }

    /**
     * Every key the relay reads, Camel's included. Keys such as {@code relay.haproxy.<master>.mode} are put together
     * at run time, so instead of searching the source for them this asks the validation itself, recording each key
     * it looks up; the rest are found where they are written: -D properties the code reads, the route placeholders,
     * the Camel defaults and the properties the relay hands to Camel.
     */
    private static Set<String> keysTheRelayReads() throws IOException {
        Set<String> keys = new TreeSet<>();
        Function<String, String> recording = key -> {
            keys.add(key);
            return EVERY_BRANCH.get(key);
        };
        RelayConfig.from(recording);
        OperatorConfig.read(recording);
        keys.addAll(found(Path.of("src/main/java"), ".java", Pattern.compile("System\\.getProperty\\(\"(" + KEY + ")\"")));
        keys.addAll(found(Path.of("src/main/java"), ".java", Pattern.compile("addInitialProperty\\(\"(" + KEY + ")\"")));
        keys.addAll(found(Path.of("routes"), ".yaml", Pattern.compile("\\{\\{(" + KEY + ")(?::[^}]*)?}}")));
        keys.addAll(propertyNames(Path.of("src/main/resources/camel-defaults.properties")));
        return keys;
    }

    /** Every key the example configurations (config/, examples/) set or show commented out ({@code #relay.x = ...}). */
    private static Set<String> exampleKeys() throws IOException {
        Pattern line = Pattern.compile("(?m)^#?\\s*(" + KEY + ")\\s*=");
        Set<String> keys = found(Path.of("config"), ".properties", line);
        keys.addAll(found(Path.of("examples"), ".properties", line));
        return keys;
    }

    private static Set<String> found(Path dir, String suffix, Pattern pattern) throws IOException {
        Set<String> out = new TreeSet<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(suffix)).sorted().toList()) {
                Matcher m = pattern.matcher(Files.readString(file));
                while (m.find()) {
                    out.add(m.group(1));
                }
            }
        }
        return out;
    }

    private static Set<String> propertyNames(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        }
        return p.stringPropertyNames();
    }

    private static boolean matchesAny(Set<String> documented, String key) {
        return documented.stream().anyMatch(d -> pattern(d).matcher(key).matches());
    }

    /** A documented key as a pattern: {@code <master>} or {@code <channel>} stands for one name. */
    private static Pattern pattern(String documented) {
        StringBuilder regex = new StringBuilder();
        Matcher m = PLACEHOLDER.matcher(documented);
        int at = 0;
        while (m.find()) {
            regex.append(Pattern.quote(documented.substring(at, m.start()))).append("[^.]+");
            at = m.end();
        }
        return Pattern.compile(regex.append(Pattern.quote(documented.substring(at))).toString());
    }
}
