package dev.sentinelrelay.ops;

import dev.sentinelrelay.resolve.RelayHealth;
import dev.sentinelrelay.resolve.Routing;
import dev.sentinelrelay.destinations.NewestWins;
import dev.sentinelrelay.resolve.Trigger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * The warm-up route's bean (routes/50-reconcile.yaml): runs a fixed number of reconciles at start-up, one at a time,
 * the masters taking turns, through the same routes a failover takes (decision, verification, every HAProxy read
 * back): read-only while HAProxy is in step. Without it the first failover after start-up runs cold code: measured
 * here, 13-20 ms instead of 4-7 from a seen promotion to the fence, and 18-55 ms for the first
 * {@code +switch-master}, which costs acknowledged writes. The JIT compiles a method after a number of calls whatever
 * master they are for, so the rounds are counted in all, not per master: the warm-up costs the same with 50 masters
 * as with one (with 50 rounds per master, 50 masters took 19 s to start). A real event waits behind at most one of
 * these reconciles.
 */
public final class WarmUp {

    private static final Logger LOG = LoggerFactory.getLogger(WarmUp.class);
    private static final Duration IDLE_WAIT = Duration.ofSeconds(10);

    private final List<String> masters;
    private final int rounds;
    private final NewestWins haproxy;
    private final RelayHealth health;
    /** Masters a reconcile could not verify: best effort, they are left out of the remaining rounds. */
    private final Set<String> unverified = ConcurrentHashMap.newKeySet();
    private volatile long startNanos;
    /** Whose turn it is (the route runs the rounds one after the other, on one thread). */
    private int turn;

    /** @param haproxy the HAProxy endpoints' queue: each reconcile waits until no HAProxy task runs */
    public WarmUp(List<String> masters, int rounds, NewestWins haproxy, RelayHealth health) {
        this.masters = List.copyOf(masters);
        this.rounds = rounds;
        this.haproxy = haproxy;
        this.health = health;
    }

    /** Starts the warm-up's clock and says how many rounds to run (relay.warm-up.rounds). */
    public int start() {
        startNanos = System.nanoTime();
        return rounds;
    }

    /**
     * One round: a reconcile of the next master in turn that is not left out, preferring one that the start-up
     * reconcile (the reconcile timer's first tick, which reaches every master at once) already reconciled: its
     * connections are open and its HAProxy entries known, so the round runs the failover's code and not a first
     * contact, which costs a connection set-up and a first write and would be made one master at a time here. None
     * when every master is left out.
     */
    public List<Trigger> round() {
        List<String> inTurn = new ArrayList<>();
        for (int i = 0; i < masters.size(); i++) {
            String master = masters.get((turn + i) % masters.size());
            if (!unverified.contains(master)) {
                inTurn.add(master);
            }
        }
        if (inTurn.isEmpty()) {
            return List.of();
        }
        String master = inTurn.stream().filter(health::reconciledOnce).findFirst().orElse(inTurn.get(0));
        turn = masters.indexOf(master) + 1;
        return List.of(Trigger.reconcile(master));
    }

    /** The resolver route's outcome: a refused verification ends in the routing that changes nothing. */
    public void reconciled(Object outcome) {
        if (outcome instanceof Routing routing && !routing.changes()) {
            unverified.add(routing.name());
        }
    }

    /** Waits until no HAProxy task runs (the reconcile's read-backs are done), or the time is up. */
    public void awaitIdle() {
        long deadline = System.nanoTime() + IDLE_WAIT.toNanos();
        while (!haproxy.idle() && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(100_000);
        }
    }

    public void done() {
        health.warmedUp();
        LOG.info("warmed up in {} ms ({} reconciles, the {} masters taking turns{})",
                (System.nanoTime() - startNanos) / 1_000_000, rounds, masters.size(),
                unverified.isEmpty() ? "" : "; not verified, so left out: " + unverified);
    }
}
