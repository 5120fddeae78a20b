package dev.sentinelrelay.ops;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertTrue;

class RelayMetricsTest {

    @Test
    void gaugesReadTheCurrentValueAtEveryScrape() {
        AtomicLong deadLetters = new AtomicLong();
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        RelayMetrics metrics = new RelayMetrics(meters, List.of("a", "b"), deadLetters::get,
                master -> master.equals("a") ? 4.5 : Double.NaN);
        metrics.sentinelsReachable(() -> 3);
        deadLetters.set(7);
        metrics.destinationRetried("consul");
        metrics.destinationRetried("consul");
        String scrape = meters.scrape();
        assertTrue(scrape.contains("relay_dead_letters 7.0"), scrape);
        assertTrue(scrape.contains("relay_sentinels_reachable 3.0"), scrape);
        assertTrue(scrape.contains("relay_seconds_since_reconcile{master=\"a\"} 4.5"), scrape);
        assertTrue(scrape.contains("relay_seconds_since_reconcile{master=\"b\"} NaN"), scrape);
        assertTrue(scrape.contains("relay_destination_retries_total{destination=\"consul\"} 2.0"), scrape);
        assertTrue(scrape.contains("# HELP relay_dead_letters Updates in the dead-letter store"), scrape);
    }
}
