package dev.sentinelrelay.sentinel;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Where a master's trigger is decided: on the master's resolver route (its queue), or, for a {@code +switch-master}
 * on a quiet relay, on the sentinel's event thread that brought it. The hand-off to the resolver's thread is a thread
 * wake-up, the largest single step between the event and HAProxy measured here (0.3 to 3 ms). Quiet: nothing pending
 * for the master (so its triggers are still decided one at a time, in order of arrival) and no other
 * {@code +switch-master} being decided that way (so a host of masters failing at once is still decided in parallel
 * on the resolvers' threads, not one after the other on an event thread).
 */
public final class ResolverTurns {

    /** Triggers accepted for each master and not decided yet (the one being decided included). */
    private final Map<String, AtomicInteger> pending = new ConcurrentHashMap<>();
    /** Each master's turn to decide: held by the thread deciding one of its triggers. */
    private final Map<String, Semaphore> turns = new ConcurrentHashMap<>();
    /** The master whose trigger an event's thread decides now (one at a time), or null. */
    private final AtomicReference<String> decidingHere = new AtomicReference<>();

    /**
     * True: decide the trigger on this thread now, its master's turn taken (then call {@link #done}). False:
     * queue it ({@link #queued}). Only a {@code +switch-master}: it names a live server to verify, where other events
     * may wait for a frozen master's {@code ROLE}, and must not hold up the sentinel's next events.
     */
    public boolean decideHere(Trigger trigger) {
        boolean switchMaster = trigger.event() != null && trigger.event().isSwitchMaster();
        String master = trigger.master();
        if (!switchMaster || !decidingHere.compareAndSet(null, master)) {
            return false;
        }
        if (pending(master).compareAndSet(0, 1)) {
            // nothing pending: the last decision gave its turn back before it stopped counting
            turn(master).acquireUninterruptibly();
            return true;
        }
        decidingHere.set(null);
        return false;
    }

    /** A trigger is queued for the master's resolver route. */
    public void queued(String master) {
        pending(master).incrementAndGet();
    }

    /** The trigger counted by {@link #queued} could not be queued: no longer pending; the failure is the caller's. */
    public void notQueued(String master, Exception failure) throws Exception {
        pending(master).decrementAndGet();
        throw failure;
    }

    /** The resolver route's turn for a queued trigger: waits while a trigger of the master is decided elsewhere. */
    public void takeTurn(String master) throws InterruptedException {
        turn(master).acquire();
    }

    /**
     * A trigger was decided (or failed), here or on the resolver route: the next may go. The event's thread gives its
     * place back first, while the master's turn is still held: no other trigger of the master is decided meanwhile, so
     * the place given back is the one this decision took (or none, for a queued trigger).
     */
    public void done(String master) {
        decidingHere.compareAndSet(master, null);
        turn(master).release();
        pending(master).decrementAndGet();
    }

    private AtomicInteger pending(String master) {
        return pending.computeIfAbsent(master, m -> new AtomicInteger());
    }

    private Semaphore turn(String master) {
        return turns.computeIfAbsent(master, m -> new Semaphore(1));
    }
}
