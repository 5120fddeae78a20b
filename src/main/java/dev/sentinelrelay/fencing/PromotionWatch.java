package dev.sentinelrelay.fencing;

import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.resolve.MasterResolver;
import dev.sentinelrelay.resolve.Trigger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Watches the replica a failover leader selected: Sentinel announces the new master about a second after the
 * replica was promoted, and every write the old master acknowledges in that second is lost. Only a replica that a
 * majority of sentinels lists is watched (the relay never connects to an address taken from an event). It is asked
 * ROLE every millisecond; once it has answered as a replica of the current master and then answers master,
 * the relay's own observation, not a sentinel's word, triggers the fence.
 */
public final class PromotionWatch {

    private static final Logger LOG = LoggerFactory.getLogger(PromotionWatch.class);
    private static final long POLL_MILLIS = 1;

    private final MasterResolver resolver;
    private final Duration timeout;
    private final Consumer<Trigger> resolve;
    private final Set<String> watching = ConcurrentHashMap.newKeySet();
    private final Function<String, Executor> newThread;
    /** Master -> the thread its watches run on (one watch per master at a time). */
    private final Map<String, Executor> threads = new ConcurrentHashMap<>();

    /**
     * @param resolve   queues a trigger on the master's resolver route
     * @param newThread the thread for a master's watches, made at its first watch (in the relay: Camel's
     *                  ExecutorServiceManager, thread promotion-watch-&lt;master&gt;, shut down with Camel)
     */
    public PromotionWatch(MasterResolver resolver, Duration timeout, Consumer<Trigger> resolve,
                          Function<String, Executor> newThread) {
        this.resolver = resolver;
        this.timeout = timeout;
        this.resolve = resolve;
        this.newThread = newThread;
    }

    /** Starts watching {@code candidate} unless a watch for {@code master} is already running. */
    public void watch(String master, HostPort candidate, HostPort current) {
        if (watching.add(master)) {
            threads.computeIfAbsent(master, newThread).execute(() -> {
                try {
                    poll(master, candidate, current);
                } finally {
                    watching.remove(master);
                }
            });
        }
    }

    private void poll(String master, HostPort candidate, HostPort current) {
        if (!resolver.majorityListsReplica(master, candidate)) {
            LOG.warn("failover of {}: no majority of sentinels lists {} as a replica; not watching it", master, candidate);
            return;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean replicaOfCurrent = false;
        while (System.nanoTime() - deadline < 0) {
            List<Object> role = role(candidate);
            if (role != null && "master".equals(role.get(0))) {
                if (replicaOfCurrent) {
                    LOG.warn("failover of {}: {} was promoted", master, candidate);
                    resolve.accept(Trigger.promotion(master, candidate));
                } else {
                    LOG.warn("failover of {}: {} answers ROLE master but was never seen replicating from {}; not fencing",
                            master, candidate, current);
                }
                return;
            }
            if (role != null && role.size() >= 3 && "slave".equals(role.get(0))) {
                if (!replicatesFrom(role, current)) {
                    LOG.warn("failover of {}: {} replicates from {}:{}, not from {}; not watching it", master, candidate,
                            role.get(1), role.get(2), current);
                    return;
                }
                replicaOfCurrent = true;
            }
            try {
                TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        LOG.info("failover of {}: {} was not promoted within {}", master, candidate, timeout);
    }

    private List<Object> role(HostPort server) {
        try {
            List<Object> role = resolver.roleReply(server);
            return role == null || role.isEmpty() ? null : role;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static boolean replicatesFrom(List<Object> role, HostPort current) {
        try {
            HostPort from = new HostPort(String.valueOf(role.get(1)), Integer.parseInt(String.valueOf(role.get(2))));
            return from.sameServer(current);
        } catch (RuntimeException e) {
            return false;
        }
    }
}
