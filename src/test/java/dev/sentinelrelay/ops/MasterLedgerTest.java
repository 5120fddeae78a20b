package dev.sentinelrelay.ops;

import dev.sentinelrelay.resolve.Routing;
import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.ops.EventLog.Decision;
import dev.sentinelrelay.resolve.Trigger;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class MasterLedgerTest {

    private static final HostPort OLD = new HostPort("10.0.0.1", 6379);
    private static final HostPort NEW = new HostPort("10.0.0.2", 6379);
    private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final RelayMetrics metrics = new RelayMetrics(meters, List.of("mymaster"), () -> 0, m -> 1.0);
    private final MasterLedger ledger = new MasterLedger(metrics);

    @Test
    void eachRoutingIsAppliedDeduplicatedFencedOrRefused() {
        assertEquals(new Decision(EventLog.APPLIED, null), ledger.decided(Routing.route(Trigger.reconcile("mymaster"), OLD)));
        assertEquals(new Decision(EventLog.DEDUPLICATED, "already 10.0.0.1:6379"),
                ledger.decided(Routing.route(Trigger.reconcile("mymaster"), OLD)));
        assertEquals(new Decision(EventLog.FENCED, "seen"),
                ledger.decided(Routing.fence(Trigger.promotion("mymaster", NEW), OLD, "seen")));
        assertEquals(new Decision(EventLog.REFUSED, "no majority"),
                ledger.decided(Routing.none(Trigger.reconcile("mymaster"), "no majority")));
        assertEquals("fenced 10.0.0.1:6379", ledger.current("mymaster").holding());
        assertEquals("10.0.0.1:6379", ledger.lastChange("mymaster").from());
    }

    @Test
    void aDestinationHoldingAnOlderRoutingIsNotTimed() {
        Routing old = Routing.route(Trigger.reconcile("mymaster"), OLD);
        ledger.decided(old);
        ledger.decided(Routing.route(Trigger.reconcile("mymaster"), NEW));
        ledger.destinationApplied("haproxy-1", old);
        assertEquals(0, ledger.lastChange("mymaster").millisByDestination().size());
        assertNull(ledger.problem("haproxy-1", "mymaster"));
    }

    @Test
    void aWouldBeWriteIsCountedOnceUntilTheDestinationIsInStepOrAnotherRoutingIsWanted() {
        Routing old = Routing.route(Trigger.reconcile("mymaster"), OLD);
        ledger.wouldChange("haproxy-1", old);
        ledger.wouldChange("haproxy-1", old); // the next reconcile finds the same
        assertEquals("10.0.0.1:6379", ledger.wouldWrite("haproxy-1", "mymaster"));
        assertEquals(1.0, wouldChangeTotal());

        ledger.inStep("haproxy-1", "mymaster");
        assertNull(ledger.wouldWrite("haproxy-1", "mymaster"));
        ledger.wouldChange("haproxy-1", old); // drifted again
        ledger.wouldChange("haproxy-1", Routing.route(Trigger.reconcile("mymaster"), NEW));
        ledger.wouldChange("haproxy-2", old);
        assertEquals("10.0.0.2:6379", ledger.wouldWrite("haproxy-1", "mymaster"));
        assertEquals(4.0, wouldChangeTotal());
    }

    private double wouldChangeTotal() {
        return meters.scrape().lines().filter(l -> l.startsWith("relay_would_change_total{master=\"mymaster\"} "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(0);
    }
}
