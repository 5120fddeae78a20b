package dev.sentinelrelay;

import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.configuration.RelayConfig;
import dev.sentinelrelay.ops.SentinelDirectory;
import dev.sentinelrelay.sentinel.DiscoveryCheck;
import dev.sentinelrelay.sentinel.FollowedSentinels;
import dev.sentinelrelay.sentinel.RedisConnections;
import dev.sentinelrelay.sentinel.SentinelDiscovery;
import dev.sentinelrelay.sentinel.SentinelQuorum;
import dev.sentinelrelay.sentinel.SentinelSubscriptions;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Stages 1 and 1b's beans: the subscriptions' listener containers and sentinel discovery (routes/10 and 15). */
final class SentinelWiring {

    private SentinelWiring() {
    }

    /**
     * The discovery branch's beans (routes/15-sentinel-discovery.yaml): the check, which asks every followed sentinel
     * on its own connections and pool, and what applies its changes. Bound with discovery off too (the route names
     * them and does not start).
     */
    static void discovery(Wiring w, SentinelSubscriptions subscriptions, RedisConnections connections) {
        SentinelDirectory directory = w.state().directory();
        FollowedSentinels followed = w.followed();
        SentinelQuorum everyFollowed = new SentinelQuorum(followed::addresses, w.config().verifyTimeout().multipliedBy(4),
                w.threads().newCachedThreadPool(w, "discovery"));
        w.registry().bind("sentinelDiscovery", new DiscoveryCheck(w.config().masters(), followed,
                new SentinelDiscovery(w.config().discovery().forgetAfter()), connections, everyFollowed, Instant::now,
                new DiscoveryCheck.Observer() {
                    @Override
                    public void answered(FollowedSentinels.Sentinel sentinel, String error) {
                        directory.discoveryAnswer(sentinel.address(), error);
                    }

                    @Override
                    public void decided(SentinelDiscovery.Decision decision) {
                        directory.discovery(decision, Instant.now());
                    }
                }));
        w.registry().bind("sentinelFollowing",
                new SentinelFollowing(w.context(), followed, subscriptions, directory, Instant::now));
    }

    /** Every configured sentinel by the id its routes and events carry. */
    static Map<String, HostPort> sentinelsById(RelayConfig config) {
        Map<String, HostPort> out = new LinkedHashMap<>();
        for (int i = 0; i < config.sentinels().size(); i++) {
            out.put(SentinelSubscriptions.sentinelId(i), config.sentinels().get(i));
        }
        return out;
    }
}
