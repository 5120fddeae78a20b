package dev.sentinelrelay.ops;

import dev.sentinelrelay.resolve.Routing;
import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.ops.EventLog.Decision;
import dev.sentinelrelay.sentinel.SentinelEvent;
import dev.sentinelrelay.resolve.Trigger;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class EventLogTest {

    private static final HostPort OLD = new HostPort("10.0.0.1", 6379);
    private final EventLog log = new EventLog(2);

    @Test
    void anEventDroppedFromTheRingBufferGetsNoDecisionLater() {
        SentinelEvent odown = new SentinelEvent("+odown", "mymaster", OLD, null, "sentinel-1 (127.0.0.1:26379)");
        log.received("sentinel-1", odown);
        log.awaiting(odown);
        log.rejected("sentinel-2", "one");
        log.rejected("sentinel-2", "two");
        log.decided(Routing.route(Trigger.of(odown), OLD), new Decision(EventLog.APPLIED, null));

        assertEquals(2, log.events(10).size(), "the dropped event is not appended again");
        assertEquals("two", log.events(10).get(0).reason());
        assertEquals(EventLog.REJECTED, log.events(10).get(1).decision());
    }

    @Test
    void aReconcileIsRecordedOnlyWhenItChangedSomething() {
        log.decided(Routing.route(Trigger.reconcile("mymaster"), OLD), new Decision(EventLog.DEDUPLICATED, "already"));
        assertEquals(0, log.events(10).size());
        log.decided(Routing.route(Trigger.reconcile("mymaster"), OLD), new Decision(EventLog.APPLIED, null));
        assertEquals("reconcile", log.events(10).get(0).toMap().get("type"));
        assertEquals("relay", log.events(10).get(0).toMap().get("sentinel"));
    }
}
