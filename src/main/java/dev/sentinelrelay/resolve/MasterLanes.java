package dev.sentinelrelay.resolve;


import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * One lane per master: where and when each trigger of a master is decided (routes/20-events.yaml and
 * routes/30-resolve.yaml ask it at each step).
 * <p>
 * <b>Invariant:</b> a master's triggers are decided one at a time, in order of arrival; at most one of all masters'
 * triggers is decided on the thread that brought it, and only a {@code +switch-master} that finds its master's lane
 * empty (nothing queued, nothing being decided). Every other trigger is queued on its master's resolver route and
 * decided there in its turn. A {@code +switch-master} not confirmed yet waits aside and re-enters at the back of the
 * lane when its retry is due (after 100, 200, 400, 800, 1600 and 2000 ms, then given up), so the newer triggers that
 * arrived meanwhile (the copy of the event from the sentinel that converged) pass it.
 * <p>
 * Deciding on the event's thread saves the hand-off to the resolver's thread, a thread wake-up of 0.3 to 3 ms here;
 * one such decision at a time keeps a host of masters failing at once decided in parallel on the resolvers' threads.
 * One lock guards every lane: each call holds it for a few field updates only.
 */
public final class MasterLanes {

    static final long FIRST_DELAY_MILLIS = 100;
    static final long LONGEST_DELAY_MILLIS = 2000;
    static final int RETRIES = 6;
    /** How long a retry handed back to its lane is remembered: one not pending again by then was decided. */
    static final long FORGET_QUEUED_NANOS = 10_000_000_000L;

    /** A master's lane: triggers queued and not started, and whether one is being decided. */
    private static final class Lane {
        int queued;
        boolean deciding;
    }

    /** @param queued handed back to the lane by {@link #due} (at {@code dueNanos}), not pending again yet */
    private record Retry(int retried, long dueNanos, boolean queued) {
    }

    private final LongSupplier clock;
    private final Map<String, Lane> lanes = new HashMap<>();
    private final Map<Trigger, Retry> retries = new HashMap<>();
    /** The thread deciding a trigger it brought, or null: only it gives that place back. */
    private Thread decidingHere;

    public MasterLanes(LongSupplier clock) {
        this.clock = clock;
    }

    /**
     * True: decide the trigger on this thread now, its master's turn taken (then call {@link #done}). False: queue it
     * ({@link #queued}). Only a {@code +switch-master}: it names a live server to verify, where other events may wait
     * for a frozen master's {@code ROLE} and must not hold up the sentinel's next events.
     */
    public synchronized boolean decideHere(Trigger trigger) {
        boolean switchMaster = trigger.event() != null && trigger.event().isSwitchMaster();
        Lane lane = lane(trigger.master());
        if (!switchMaster || decidingHere != null || lane.queued > 0 || lane.deciding) {
            return false;
        }
        lane.deciding = true;
        decidingHere = Thread.currentThread();
        return true;
    }

    /** A trigger enters the back of its master's queue (the resolver route's seda queue). */
    public synchronized void queued(String master) {
        lane(master).queued++;
    }

    /** The trigger counted by {@link #queued} could not be queued (queue full): not in the lane; the caller hears why. */
    public void notQueued(String master, Exception failure) throws Exception {
        synchronized (this) {
            lane(master).queued--;
        }
        throw failure;
    }

    /** The resolver route's turn for its next queued trigger: waits while one of the master's is being decided. */
    public synchronized void takeTurn(String master) throws InterruptedException {
        Lane lane = lane(master);
        try {
            while (lane.deciding) {
                wait();
            }
        } catch (InterruptedException stopping) {
            lane.queued--;
            throw stopping;
        }
        lane.queued--;
        lane.deciding = true;
    }

    /** The master's trigger was decided (or failed), here or on the resolver route: the next may go. */
    public synchronized void done(String master) {
        lane(master).deciding = false;
        if (decidingHere == Thread.currentThread()) {
            decidingHere = null;
        }
        notifyAll();
    }

    /**
     * The trigger's verification is pending: true when it re-enters its lane later (from {@link #due}), false when it
     * has been retried {@value #RETRIES} times already and is given up.
     */
    public synchronized boolean retryLater(VerificationPendingException pending) {
        Trigger trigger = pending.verdict().trigger();
        Retry before = retries.remove(trigger);
        int retried = before == null ? 0 : before.retried();
        if (retried >= RETRIES) {
            return false;
        }
        long delay = Math.min(FIRST_DELAY_MILLIS << retried, LONGEST_DELAY_MILLIS);
        retries.put(trigger, new Retry(retried + 1, clock.getAsLong() + delay * 1_000_000, false));
        return true;
    }

    /** The triggers whose retry is due now, in no particular order, each returned once (the caller queues them). */
    public synchronized List<Trigger> due() {
        long now = clock.getAsLong();
        retries.values().removeIf(r -> r.queued() && now - r.dueNanos() > FORGET_QUEUED_NANOS);
        List<Trigger> due = new ArrayList<>();
        retries.forEach((trigger, r) -> {
            if (!r.queued() && now - r.dueNanos() >= 0) {
                due.add(trigger);
            }
        });
        // remembered with its count while it is verified again: pending once more, it is retried later or given up
        due.forEach(t -> retries.put(t, new Retry(retries.get(t).retried(), now, true)));
        return due;
    }

    private Lane lane(String master) {
        return lanes.computeIfAbsent(master, m -> new Lane());
    }
}
