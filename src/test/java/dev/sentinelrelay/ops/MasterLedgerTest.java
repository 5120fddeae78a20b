package dev.sentinelrelay.ops;

import dev.sentinelrelay.Routing;
import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.ops.EventLog.Decision;
import dev.sentinelrelay.sentinel.Trigger;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class MasterLedgerTest {

    private static final HostPort OLD = new HostPort("10.0.0.1", 6379);
    private static final HostPort NEW = new HostPort("10.0.0.2", 6379);
    private final MasterLedger ledger = new MasterLedger(new RelayMetrics(List.of("mymaster"), () -> 0, m -> 1.0));

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
}
