package dev.sentinelrelay.destinations;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * "Newest replaces one not started" for a destination's queue (routes/35-destination.yaml): per key
 * (an endpoint and a master, or a master), at most one run is under way, and of what arrives meanwhile only the
 * newest waits; an older one that has not started is dropped (only the latest routing matters, level-triggered),
 * so an outage leaves no backlog behind. The route offers each body on the caller's thread and hands an offer
 * that starts a run to the destination's threads, where the run takes the waiting body as long as one waits.
 */
public final class NewestWins {

    /** key -> the newest body not taken yet by the key's run. */
    private final Map<String, Object> waiting = new HashMap<>();
    /** keys with a run under way. */
    private final Set<String> running = new HashSet<>();

    /**
     * The body waits for the key's run, replacing whatever waited. True when no run was under way: the caller
     * starts one. False when one is: that run takes the body next.
     */
    public synchronized boolean offer(String key, Object body) {
        waiting.put(key, body);
        return running.add(key);
    }

    /** True when a body waits for the key's run; false when none does, which ends the run (the key is free). */
    public synchronized boolean hasNext(String key) {
        if (waiting.containsKey(key)) {
            return true;
        }
        running.remove(key);
        return false;
    }

    /** Takes the newest body waiting for the key's run (after {@link #hasNext} said one waits). */
    public synchronized Object next(String key) {
        return waiting.remove(key);
    }

    /** True when no run is under way (the start-up warm-up waits for this between its reconciles). */
    public synchronized boolean idle() {
        return running.isEmpty();
    }
}
