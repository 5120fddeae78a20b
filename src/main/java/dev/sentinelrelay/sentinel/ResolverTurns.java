package dev.sentinelrelay.sentinel;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where a master's trigger is decided: on the thread that brought it, or on the master's resolver route (its queue).
 * On the thread that brought it when the relay is quiet (nothing pending for the master, and no other trigger being
 * decided that way): the hand-off to the resolver's thread is a thread wake-up, the largest single step between an
 * event and HAProxy measured here (0.3 to 3 ms). Otherwise the trigger waits in the queue, so a master's triggers are
 * still decided one at a time in order of arrival, and a host of masters failing at once is decided in parallel on
 * the resolvers' threads, not one after the other on an event's thread.
 */
public final class ResolverTurns {

    /** Triggers accepted for each master and not decided yet (the one being decided included). */
    private final Map<String, AtomicInteger> pending = new ConcurrentHashMap<>();
    /** Each master's turn to decide: held by the thread deciding one of its triggers. */
    private final Map<String, Semaphore> turns = new ConcurrentHashMap<>();
    /** True while some thread decides a trigger it brought: one at a time. */
    private final AtomicBoolean decidingHere = new AtomicBoolean();

    /**
     * Counts the trigger as pending. True: decide it on this thread now, its master's turn taken (then call
     * {@link #doneHere}); false: queue it for the master's resolver route (which calls {@link #takeTurn}, then
     * {@link #done}).
     */
    public boolean arrive(String master) {
        AtomicInteger count = pending(master);
        if (decidingHere.compareAndSet(false, true)) {
            if (count.compareAndSet(0, 1)) {
                // nothing pending: the last decision gave its turn back before it stopped counting
                turn(master).acquireUninterruptibly();
                return true;
            }
            decidingHere.set(false);
        }
        count.incrementAndGet();
        return false;
    }

    /** The resolver route's turn for a queued trigger: waits while a trigger of the master is decided elsewhere. */
    public void takeTurn(String master) throws InterruptedException {
        turn(master).acquire();
    }

    /** A queued trigger was decided (or failed): the next may go. */
    public void done(String master) {
        turn(master).release();
        pending(master).decrementAndGet();
    }

    /** A trigger decided on the thread that brought it was decided (or failed). */
    public void doneHere(String master) {
        done(master);
        decidingHere.set(false);
    }

    private AtomicInteger pending(String master) {
        return pending.computeIfAbsent(master, m -> new AtomicInteger());
    }

    private Semaphore turn(String master) {
        return turns.computeIfAbsent(master, m -> new Semaphore(1));
    }
}
