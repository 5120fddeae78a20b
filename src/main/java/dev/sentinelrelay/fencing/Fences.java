package dev.sentinelrelay.fencing;

import dev.sentinelrelay.resolve.Decision;
import dev.sentinelrelay.resolve.Routing;
import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.configuration.RelayConfig;
import dev.sentinelrelay.resolve.MasterResolver;
import dev.sentinelrelay.sentinel.SentinelEvent;
import dev.sentinelrelay.resolve.Trigger;
import dev.sentinelrelay.resolve.Verdict;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides, per master, whether clients may be routed to it. A master whose writes are doomed is fenced at once,
 * before Sentinel announces its successor: when a majority of sentinels sees it down ({@code +odown}), or when
 * the relay itself saw another server of its group answer ROLE master during a failover. A fence stands until
 * another master is verified, {@code -odown} lifts it, or the fence timeout passes; then the verified master
 * (possibly the old one) is routed again. Called only from the route that decides a trigger (routes/30-resolve.yaml,
 * on the master's resolver thread or a +switch-master's event thread), one trigger of a master at a time.
 */
public final class Fences {

    private static final Logger LOG = LoggerFactory.getLogger(Fences.class);

    private record Fence(HostPort master, String reason, boolean odown, long deadlineNanos) {
    }

    private final RelayConfig config;
    private final MasterResolver resolver;
    private final PromotionWatch watch;
    private final Duration timeout;
    private final Map<String, Fence> fences = new ConcurrentHashMap<>();
    /** The last master verified for each name: what a fence protects. */
    private final Map<String, HostPort> verified = new ConcurrentHashMap<>();
    /** Master -> when its last verification that named it ended ({@link System#nanoTime()}). */
    private final Map<String, Long> verifiedAt = new ConcurrentHashMap<>();
    /** Master -> when its last fence runs out ({@link System#nanoTime()}): it is verified again then. */
    private final Map<String, Long> expiries = new ConcurrentHashMap<>();

    public Fences(RelayConfig config, MasterResolver resolver, PromotionWatch watch) {
        this.config = config;
        this.resolver = resolver;
        this.watch = watch;
        this.timeout = config.fenceTimeout();
    }

    /**
     * What the destinations must hold after this trigger: the master fenced at once when the trigger proves its
     * writes doomed (no verification needed to stop routing), otherwise what verification decides. One path for
     * both, so the start-up warm-up runs the code a fence takes.
     */
    public Decision decide(Trigger trigger) {
        Routing fence = observe(trigger);
        if (fence != null) {
            return Decision.of(fence);
        }
        Routing known = alreadyVerified(trigger);
        return known != null ? Decision.of(known) : decision(resolver.verify(trigger));
    }

    /**
     * Every sentinel announces a failover with its own {@code +switch-master}: a copy that names the master a
     * verification confirmed after the copy arrived carries nothing new, and is answered with that routing without
     * asking again (on a rack of masters failing at once, two verifications saved per master, and none competes
     * with the HAProxy writes). Null: verify. A newer change comes with an event of its own.
     */
    private Routing alreadyVerified(Trigger trigger) {
        String name = trigger.master();
        HostPort current = verified.get(name);
        Long at = verifiedAt.get(name);
        if (!"+switch-master".equals(trigger.type()) || current == null || at == null || fences.containsKey(name)
                || at - trigger.receivedNanos() <= 0 || !trigger.event().promoted().sameServer(current)) {
            return null;
        }
        return Routing.route(trigger, current);
    }

    /**
     * Looks at a trigger before the master is verified. Returns a fencing routing when this trigger fences the
     * master now (no verification needed to stop routing), null otherwise.
     */
    public Routing observe(Trigger trigger) {
        String name = trigger.master();
        HostPort current = verified.get(name);
        if (!config.haproxyTargets().get(name).fence() || current == null) {
            return null;
        }
        if (trigger.promoted() != null) {
            return trigger.promoted().equals(current) ? null
                    : fence(trigger, current, "replica " + trigger.promoted() + " answers ROLE master", false);
        }
        String type = trigger.type();
        // sentinels may announce a hostname; the verified master is an IP address
        // a fence standing on it already stops its routing: the other sentinels' +odown need not ask the majority again
        if ("+odown".equals(type) && trigger.event().instance().sameServer(current)
                && (fencedAt(name, current) || resolver.majoritySeesDown(name))) {
            return fence(trigger, current, "a majority of sentinels sees it down", true);
        }
        if ("-odown".equals(type)) {
            Fence f = fences.get(name);
            if (f != null && f.odown() && fences.remove(name, f)) {
                LOG.info("fence on {} {} lifted by -odown: routed again once verified", name, f.master());
            }
        }
        return null;
    }

    /**
     * A failover leader selected a replica to promote: watch it, unless fencing is off or it already is the
     * verified master. Called on the event's own thread (it only starts the watch), not after the master's
     * queued triggers, so the watch begins before the replica is promoted.
     */
    public void watchPromotion(SentinelEvent event) {
        HostPort current = verified.get(event.master());
        if (config.haproxyTargets().get(event.master()).fence() && current != null && !current.equals(event.instance())) {
            watch.watch(event.master(), event.instance(), current);
        }
    }

    /** Turns a verdict into a routing: fenced while a fence stands and no other master is verified. */
    public Decision decision(Verdict verdict) {
        String name = verdict.name();
        Fence fence = fences.get(name);
        if (fence != null && System.nanoTime() - fence.deadlineNanos() > 0) {
            fences.remove(name, fence);
            LOG.warn("fence on {} {} expired after {} without another verified master", name, fence.master(), timeout);
            fence = null;
        }
        if (verdict.verified() && (fence == null || !fence.master().equals(verdict.master()))) {
            if (fence != null && fences.remove(name, fence)) {
                LOG.info("fence on {} {} lifted: {} verified", name, fence.master(), verdict.master());
            }
            verifiedAt.put(name, System.nanoTime());
            HostPort previous = verified.put(name, verdict.master());
            return new Decision(Routing.route(verdict.trigger(), verdict.master()), verdict, previous);
        }
        if (fence != null) {
            return new Decision(Routing.fence(verdict.trigger(), fence.master(), fence.reason()), verdict, null);
        }
        return new Decision(Routing.none(verdict.trigger(), verdict.refusal() + " votes " + verdict.votes()), verdict,
                verified.get(name));
    }

    private boolean fencedAt(String name, HostPort master) {
        Fence standing = fences.get(name);
        return standing != null && standing.master().equals(master);
    }

    private Routing fence(Trigger trigger, HostPort master, String reason, boolean odown) {
        Fence standing = fences.get(trigger.master());
        if (standing != null && standing.master().equals(master)) {
            // already fenced: keep the first deadline; a seen promotion is not undone by -odown
            fences.put(trigger.master(), new Fence(master, standing.reason(), standing.odown() && odown,
                    standing.deadlineNanos()));
            return Routing.fence(trigger, master, standing.reason());
        }
        fences.put(trigger.master(), new Fence(master, reason, odown, System.nanoTime() + timeout.toNanos()));
        LOG.warn("fencing {} {}: {} (for at most {})", trigger.master(), master, reason, timeout);
        expiries.put(trigger.master(), System.nanoTime() + timeout.toNanos());
        return Routing.fence(trigger, master, reason);
    }

    /**
     * A reconcile for every master whose fence ran out since the last call, so it is verified again even if no
     * event comes (the fence-expiry route in routes/30-resolve.yaml asks every few hundred milliseconds).
     */
    public List<Trigger> expired() {
        List<Trigger> due = new ArrayList<>();
        long now = System.nanoTime();
        expiries.forEach((master, deadline) -> {
            if (now - deadline >= 0 && expiries.remove(master, deadline)) {
                due.add(Trigger.reconcile(master));
            }
        });
        return due;
    }
}
