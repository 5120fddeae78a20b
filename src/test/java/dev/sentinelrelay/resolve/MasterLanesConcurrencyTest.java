package dev.sentinelrelay.resolve;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Event threads and resolver threads racing on a few masters, as in a host of masters failing at once: the lanes'
 * invariant must hold at every moment, not only between calls.
 */
class MasterLanesConcurrencyTest {

    private static final List<String> MASTERS = List.of("a", "b", "c");
    private static final int ROUNDS = 20_000;

    private final MasterLanes lanes = new MasterLanes(System::nanoTime);
    private final Map<String, AtomicInteger> deciding = new ConcurrentHashMap<>();
    private final AtomicInteger decidingOnEventThreads = new AtomicInteger();
    private final List<String> broken = new CopyOnWriteArrayList<>();
    private final AtomicInteger decidedHere = new AtomicInteger();

    /** One decision: no other of its master, and (on an event's thread) no other there, at the same time. */
    private void decide(String master, boolean here) {
        if (deciding.computeIfAbsent(master, m -> new AtomicInteger()).incrementAndGet() != 1) {
            broken.add("two decisions of " + master + " at once");
        }
        if (here && decidingOnEventThreads.incrementAndGet() != 1) {
            broken.add("two decisions on event threads at once");
        }
        Thread.onSpinWait();
        if (here) {
            decidingOnEventThreads.decrementAndGet();
        }
        deciding.get(master).decrementAndGet();
        lanes.done(master);
    }

    @Test
    void noTwoDecisionsOfAMasterAndNoTwoOnEventThreadsAtOnce() throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int offset = t;
            // an event thread: decides a +switch-master here when it may, else queues and decides it as its resolver
            threads.add(new Thread(() -> {
                for (int i = 0; i < ROUNDS && broken.isEmpty(); i++) {
                    String master = MASTERS.get((i + offset) % MASTERS.size());
                    Trigger trigger = MasterLanesTest.switchMaster(master);
                    if (lanes.decideHere(trigger)) {
                        decidedHere.incrementAndGet();
                        decide(master, true);
                    } else {
                        lanes.queued(master);
                        takeTurn(master);
                        decide(master, false);
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join(60_000);
            assertTrue(!thread.isAlive(), "a thread is stuck: a turn was never given back");
        }
        assertEquals(List.of(), broken.stream().distinct().toList());
        assertTrue(decidedHere.get() > 0, "some triggers were decided on their event's thread");
    }

    private void takeTurn(String master) {
        try {
            lanes.takeTurn(master);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
