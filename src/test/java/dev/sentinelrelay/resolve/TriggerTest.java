package dev.sentinelrelay.resolve;

import dev.sentinelrelay.sentinel.SentinelEvent;
import dev.sentinelrelay.configuration.HostPort;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TriggerTest {

    private static final HostPort OLD = new HostPort("10.0.0.1", 6379);
    private static final HostPort NEW = new HostPort("10.0.0.2", 6380);

    @Test
    void anEventTrustsWhatTheRelayLastWrote() {
        Trigger t = Trigger.of(new SentinelEvent("+switch-master", "mymaster", OLD, NEW, "s1"));
        assertEquals("mymaster", t.master());
        assertEquals("+switch-master", t.type());
        assertNull(t.promoted(), "a sentinel's word is not the relay's own observation");
        assertFalse(t.readBack());
    }

    @Test
    void aReconcileReadsBack() {
        Trigger t = Trigger.reconcile("mymaster");
        assertTrue(t.readBack());
        assertNull(t.type());
        assertNull(t.event());
        assertEquals("reconcile mymaster", t.toString());
    }

    @Test
    void aPromotionNamesThePromotedServer() {
        Trigger t = Trigger.promotion("mymaster", NEW);
        assertEquals(NEW, t.promoted());
        assertFalse(t.readBack());
        assertNull(t.type());
        assertEquals("10.0.0.2:6380 promoted for mymaster", t.toString());
    }
}
