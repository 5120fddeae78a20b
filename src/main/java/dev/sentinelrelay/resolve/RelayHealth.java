package dev.sentinelrelay.resolve;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;

/**
 * Readiness: the relay is ready once it has warmed up and every followed master has been reconciled with a
 * sentinel majority, and stops being ready while the last verification reached no majority of the sentinels.
 */
public final class RelayHealth {

    private final List<String> masters;
    /** A majority of the sentinels followed now (it changes as sentinels are discovered and forgotten). */
    private final IntSupplier majority;
    /** master -> {@link System#nanoTime()} of its last successful reconcile (every HAProxy in step). */
    private final Map<String, Long> reconciled = new ConcurrentHashMap<>();
    private volatile long sentinelsReachable;
    private volatile boolean warmedUp;

    public RelayHealth(List<String> masters, IntSupplier majority) {
        this.masters = List.copyOf(masters);
        this.majority = majority;
    }

    public void sentinelsAnswered(long reachable) {
        sentinelsReachable = reachable;
    }

    public void reconciled(String master) {
        reconciled.put(master, System.nanoTime());
    }

    /** Whether the master was reconciled successfully since start-up. */
    public boolean reconciledOnce(String master) {
        return reconciled.containsKey(master);
    }

    /** Seconds since the master was last reconciled successfully; NaN before the first time (for metrics). */
    public double secondsSinceReconciled(String master) {
        Long at = reconciled.get(master);
        return at == null ? Double.NaN : (System.nanoTime() - at) / 1e9;
    }

    public void warmedUp() {
        warmedUp = true;
    }

    public boolean ready() {
        return warmedUp && sentinelsReachable >= majority.getAsInt() && reconciled.keySet().containsAll(masters);
    }

    /** One line for the health endpoint and the logs. */
    public String describe() {
        return (ready() ? "ready" : "not ready") + ": sentinels answering " + sentinelsReachable + " (majority " + majority.getAsInt()
                + "), masters reconciled " + reconciled.size() + "/" + masters.size() + (warmedUp ? "" : ", warming up");
    }
}
