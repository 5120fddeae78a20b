package dev.sentinelrelay.resolve;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RelayHealthTest {

    private final RelayHealth health = new RelayHealth(List.of("a", "b"), () -> 2);

    @Test
    void readyOnlyWhenWarmedUpAMajorityAnswersAndEveryMasterIsReconciled() {
        health.sentinelsAnswered(2);
        health.reconciled("a");
        health.reconciled("b");
        assertFalse(health.ready(), "still warming up");
        assertEquals("not ready: sentinels answering 2 (majority 2), masters reconciled 2/2, warming up", health.describe());

        health.warmedUp();
        assertTrue(health.ready());
        assertEquals("ready: sentinels answering 2 (majority 2), masters reconciled 2/2", health.describe());

        health.sentinelsAnswered(1);
        assertFalse(health.ready(), "no majority of sentinels answers");
    }

    @Test
    void notReadyUntilEveryMasterIsReconciled() {
        health.warmedUp();
        health.sentinelsAnswered(3);
        health.reconciled("a");
        assertFalse(health.ready());
        assertEquals("not ready: sentinels answering 3 (majority 2), masters reconciled 1/2", health.describe());
    }
}
