package dev.sentinelrelay.consul;

import dev.sentinelrelay.DaemonThreads;
import dev.sentinelrelay.Routing;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * Runs Consul updates on their own thread, so a Consul that is down or slow (retrying for seconds) never delays
 * the master's resolver route, and so HAProxy, which the resolver hands its routing to as well. One thread:
 * updates for one master run in order, and there is only one Consul. A routing not started yet is replaced by a
 * newer one for the same master (only the latest routing matters), so an outage leaves no backlog behind.
 */
public final class ConsulWorker implements AutoCloseable {

    private final Map<String, Routing> pending = new ConcurrentHashMap<>();
    /** Masters with a run queued on the thread that has not yet taken its pending routing. */
    private final Set<String> queued = ConcurrentHashMap.newKeySet();
    private final ExecutorService thread = Executors.newSingleThreadExecutor(DaemonThreads.named("consul"));
    private final Consumer<Routing> work;

    /** @param work brings Consul in step with one routing (the consul-master route, with its retries) */
    public ConsulWorker(Consumer<Routing> work) {
        this.work = work;
    }

    /** Returns at once. */
    public void submit(Routing routing) {
        String master = routing.name();
        pending.put(master, routing);
        if (queued.add(master)) {
            thread.execute(() -> {
                queued.remove(master);
                Routing latest = pending.remove(master);
                if (latest != null) {
                    work.accept(latest);
                }
            });
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
