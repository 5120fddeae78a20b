package dev.sentinelrelay.ops;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every metric the relay exposes on /metrics, with its type and label names, as dashboards and alert rules name
 * them: a renamed metric, a changed type or an added, dropped or renamed label fails here.
 */
public class MetricNamesTest {

    /** {@code <type> <sample name>{<label names>}} per exposed sample name, sorted. */
    public static final String EXPOSED = """
            counter relay_destination_failures_total{destination}
            counter relay_destination_retries_total{destination}
            counter relay_events_received_total{sentinel,type}
            counter relay_events_rejected_total{reason}
            counter relay_failovers_applied_total{master}
            counter relay_leadership_changes_total{}
            counter relay_verifications_refused_total{master}
            counter relay_would_change_total{master}
            gauge relay_dead_letters{}
            gauge relay_leader{}
            gauge relay_propagation_seconds_max{destination,master}
            gauge relay_read_pool_size{destination,master}
            gauge relay_seconds_since_reconcile{master}
            gauge relay_sentinels_reachable{}
            histogram relay_propagation_seconds_bucket{destination,le,master}
            histogram relay_propagation_seconds_count{destination,master}
            histogram relay_propagation_seconds_sum{destination,master}
            """;

    private static final Pattern TYPE = Pattern.compile("# TYPE (\\S+) (\\S+)");
    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? \\S+");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"(?:[^\"\\\\]|\\\\.)*\"");

    @Test
    void everyMetricKeepsItsNameTypeAndLabels() {
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        RelayMetrics metrics = new RelayMetrics(meters, List.of("mymaster"), () -> 1, master -> 2.0);
        metrics.sentinelsReachable(() -> 3);
        metrics.eventReceived("sentinel-1", "+switch-master");
        metrics.eventRejected("malformed");
        metrics.verificationRefused("mymaster");
        metrics.failoverApplied("mymaster");
        metrics.propagation("mymaster", "haproxy-1", Duration.ofMillis(3));
        metrics.destinationFailed("consul");
        metrics.destinationRetried("consul");
        metrics.wouldChange("mymaster");
        metrics.leadership(() -> 1, () -> 4);
        metrics.readPoolSize("mymaster", "haproxy-1", () -> 2);

        assertEquals(EXPOSED, exposed(meters.scrape()));
    }

    /** The relay's samples of a scrape in {@link #EXPOSED}'s form (Camel's own metrics, camel_*, are not listed). */
    public static String exposed(String scrape) {
        Map<String, String> types = new TreeMap<>();
        TreeSet<String> out = new TreeSet<>();
        for (String line : scrape.lines().toList()) {
            Matcher type = TYPE.matcher(line);
            if (type.matches()) {
                types.put(type.group(1), type.group(2));
                continue;
            }
            Matcher sample = SAMPLE.matcher(line);
            if (line.startsWith("#") || !sample.matches() || !sample.group(1).startsWith("relay_")) {
                continue;
            }
            String name = sample.group(1);
            String labels = sample.group(2) == null ? "" : LABEL.matcher(sample.group(2)).results()
                    .map(m -> m.group(1)).sorted().collect(Collectors.joining(","));
            out.add(types.get(family(name, types)) + " " + name + "{" + labels + "}");
        }
        return out.stream().map(s -> s + "\n").collect(Collectors.joining());
    }

    /** The family a sample belongs to: its name, or its name without a histogram's or counter's suffix. */
    private static String family(String sample, Map<String, String> types) {
        for (String suffix : List.of("", "_bucket", "_count", "_sum", "_total")) {
            String name = sample.endsWith(suffix) ? sample.substring(0, sample.length() - suffix.length()) : sample;
            if (types.containsKey(name)) {
                return name;
            }
        }
        return sample;
    }
}
