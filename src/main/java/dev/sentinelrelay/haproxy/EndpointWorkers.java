package dev.sentinelrelay.haproxy;

import dev.sentinelrelay.DaemonThreads;
import dev.sentinelrelay.configuration.HaproxyEndpoint;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Runs HAProxy tasks on each endpoint's own threads, so an HAProxy that is down or slow (retrying for seconds)
 * never delays another one, nor the next decision for the same master. For one endpoint and one master, tasks
 * run one at a time and in order; a task that has not started yet is replaced by a newer one (the latest routing
 * is all that matters, level-triggered).
 */
public final class EndpointWorkers implements AutoCloseable {

    private static final int THREADS_PER_ENDPOINT = 4;

    private final Map<String, ThreadPoolExecutor> pools = new ConcurrentHashMap<>();
    private final Map<String, HaproxyTask> pending = new ConcurrentHashMap<>();
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    private final Consumer<HaproxyTask> work;

    /** @param work brings one endpoint in step (the haproxy-endpoint route, with its retries) */
    public EndpointWorkers(List<HaproxyEndpoint> endpoints, Consumer<HaproxyTask> work) {
        this.work = work;
        for (HaproxyEndpoint endpoint : endpoints) {
            ThreadPoolExecutor pool = new ThreadPoolExecutor(THREADS_PER_ENDPOINT, THREADS_PER_ENDPOINT, 0,
                    TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), DaemonThreads.named(endpoint.id()));
            pool.prestartAllCoreThreads(); // not on the way of the first failover
            pools.put(endpoint.id(), pool);
        }
    }

    public void submitAll(List<HaproxyTask> tasks) {
        tasks.forEach(this::submit);
    }

    public void submit(HaproxyTask task) {
        String key = task.key();
        pending.put(key, task);
        if (running.add(key)) {
            pools.get(task.endpoint().id()).execute(() -> drain(key));
        }
    }

    private void drain(String key) {
        while (true) {
            HaproxyTask task = pending.remove(key);
            if (task != null) {
                work.accept(task);
                continue;
            }
            running.remove(key);
            // a task submitted between the remove above and now found the key running: take it over
            if (!pending.containsKey(key) || !running.add(key)) {
                return;
            }
        }
    }

    /** Waits until no task is pending or running, or the time is up. */
    public void awaitIdle(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!running.isEmpty() && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(100_000);
        }
    }

    @Override
    public void close() {
        pools.values().forEach(ThreadPoolExecutor::shutdownNow);
    }
}
