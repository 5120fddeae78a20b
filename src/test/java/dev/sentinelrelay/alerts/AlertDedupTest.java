package dev.sentinelrelay.alerts;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AlertDedupTest {

    private final AtomicLong now = new AtomicLong();
    private final AlertDedup dedup = new AlertDedup(Duration.ofMinutes(10), now::get);

    private static Alert alert(AlertKind kind, String key, String closes) {
        return Alert.of(kind, "mymaster", "summary", Map.of(), key, closes);
    }

    @Test
    void theSameAlertFromThreeSentinelsGoesOutOnce() {
        assertTrue(dedup.accept(alert(AlertKind.MASTER_DOWN, "down/mymaster/a", null)));
        assertFalse(dedup.accept(alert(AlertKind.MASTER_DOWN, "down/mymaster/a", null)));
        assertFalse(dedup.accept(alert(AlertKind.MASTER_DOWN, "down/mymaster/a", null)));
    }

    @Test
    void aRepeatGoesOutAgainAfterTheWindow() {
        assertTrue(dedup.accept(alert(AlertKind.CHANGE_REFUSED, "refused/mymaster/b", null)));
        now.addAndGet(Duration.ofMinutes(9).toNanos());
        assertFalse(dedup.accept(alert(AlertKind.CHANGE_REFUSED, "refused/mymaster/b", null)));
        now.addAndGet(Duration.ofMinutes(2).toNanos());
        assertTrue(dedup.accept(alert(AlertKind.CHANGE_REFUSED, "refused/mymaster/b", null)));
    }

    @Test
    void aResolveGoesOutOnceAndOnlyForAnOpenAlert() {
        assertFalse(dedup.accept(alert(AlertKind.MASTER_RECOVERED, "up/mymaster/a", "down/mymaster/a")),
                "nothing was down");
        assertTrue(dedup.accept(alert(AlertKind.MASTER_DOWN, "down/mymaster/a", null)));
        assertTrue(dedup.accept(alert(AlertKind.MASTER_RECOVERED, "up/mymaster/a", "down/mymaster/a")));
        assertFalse(dedup.accept(alert(AlertKind.MASTER_RECOVERED, "up/mymaster/a", "down/mymaster/a")),
                "the second sentinel's -odown");
        assertTrue(dedup.accept(alert(AlertKind.MASTER_DOWN, "down/mymaster/a", null)), "down again: a new incident");
    }

    @Test
    void aFailoverClosesTheDownAlertOfTheOldMaster() {
        assertTrue(dedup.accept(alert(AlertKind.MASTER_DOWN, "down/mymaster/a", null)));
        assertTrue(dedup.accept(alert(AlertKind.FAILOVER, "failover/mymaster/b", "down/mymaster/a")));
        assertTrue(dedup.accept(alert(AlertKind.MASTER_DOWN, "down/mymaster/a", null)),
                "the old master, down again later, is a new incident");
    }
}
