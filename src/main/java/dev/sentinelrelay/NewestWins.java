package dev.sentinelrelay;

import java.util.HashMap;
import java.util.Map;

/**
 * "Newest replaces one not started" for a destination's queue (routes/40-haproxy.yaml, 45-consul.yaml): per key
 * (an endpoint and a master, or a master), at most one run is under way, and of what arrives meanwhile only the
 * newest waits; an older one that has not started is dropped (only the latest routing matters, level-triggered),
 * so an outage leaves no backlog behind. The route offers each body on the caller's thread, hands a body that
 * starts a run to the destination's threads, and asks for the next body after each one until none waits.
 */
public final class NewestWins {

    /** key -> the newest body that waits for the run under way. */
    private final Map<String, Object> waiting = new HashMap<>();
    /** key -> true while a run is under way. */
    private final Map<String, Boolean> running = new HashMap<>();

    /**
     * True when no run for the key is under way: the caller starts one with this body. False when one is: the body
     * replaces whatever waited, and that run takes it next.
     */
    public synchronized boolean offer(String key, Object body) {
        if (running.putIfAbsent(key, Boolean.TRUE) == null) {
            return true;
        }
        waiting.put(key, body);
        return false;
    }

    /** The newest body that waits for the key's run; null when none does, which ends the run. */
    public synchronized Object next(String key) {
        Object body = waiting.remove(key);
        if (body == null) {
            running.remove(key);
        }
        return body;
    }

    /** True when no run is under way (the start-up warm-up waits for this between its reconciles). */
    public synchronized boolean idle() {
        return running.isEmpty();
    }
}
