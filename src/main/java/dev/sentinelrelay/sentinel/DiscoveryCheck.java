package dev.sentinelrelay.sentinel;

import dev.sentinelrelay.configuration.HostPort;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The periodic discovery check (routes/15-sentinel-discovery.yaml): asks every followed sentinel, in parallel and
 * with the relay's sentinel AUTH settings, its run id ({@code INFO server}) and the sentinels it lists for each
 * followed master ({@code SENTINEL SENTINELS}), and hands the answers to {@link SentinelDiscovery}. A discovered
 * sentinel that does not answer is reported (log line and API) each time its reason changes, never skipped silently.
 */
public final class DiscoveryCheck {

    private static final Logger LOG = LoggerFactory.getLogger(DiscoveryCheck.class);

    /** Told what the check found: each followed sentinel's failure to answer, and the decision. */
    public interface Observer {
        /** {@code error} is null when the sentinel answered. */
        void answered(FollowedSentinels.Sentinel sentinel, String error);

        void decided(SentinelDiscovery.Decision decision);
    }

    private record Asked(FollowedSentinels.Sentinel sentinel, SentinelDiscovery.Answer answer, String error) {
    }

    private final List<String> masters;
    private final FollowedSentinels followed;
    private final SentinelDiscovery rules;
    private final RedisConnections connections;
    private final SentinelQuorum quorum;
    private final Supplier<Instant> clock;
    private final Observer observer;
    /** The last reason each discovered sentinel did not answer: logged again only when it changes. */
    private final Map<HostPort, String> reported = new ConcurrentHashMap<>();

    /**
     * @param connections with the relay's sentinel settings (AUTH); its owner closes it
     * @param quorum      asks the followed sentinels in parallel
     */
    public DiscoveryCheck(List<String> masters, FollowedSentinels followed, SentinelDiscovery rules,
                          RedisConnections connections, SentinelQuorum quorum, Supplier<Instant> clock, Observer observer) {
        this.masters = List.copyOf(masters);
        this.followed = followed;
        this.rules = rules;
        this.connections = connections;
        this.quorum = quorum;
        this.clock = clock;
        this.observer = observer;
    }

    /** Asks every followed sentinel; returns what to start and stop following, for the route to apply in order. */
    public List<SentinelChange> check() {
        List<FollowedSentinels.Sentinel> now = followed.all();
        List<HostPort> addresses = now.stream().map(FollowedSentinels.Sentinel::address).toList();
        List<Asked> heard = quorum.ask(addresses, address -> ask(now.get(addresses.indexOf(address))), answers -> false);
        Map<HostPort, SentinelDiscovery.Answer> answers = new HashMap<>();
        Set<HostPort> unheard = new HashSet<>(addresses);
        for (Asked asked : heard) {
            unheard.remove(asked.sentinel().address());
            report(asked.sentinel(), asked.error());
            if (asked.answer() != null) {
                answers.put(asked.sentinel().address(), asked.answer());
            }
        }
        now.stream().filter(s -> unheard.contains(s.address())).forEach(s -> report(s, "timed out"));
        reported.keySet().retainAll(addresses);
        SentinelDiscovery.Decision decision = rules.decide(now, answers, clock.get());
        observer.decided(decision);
        return decision.changes();
    }

    private Asked ask(FollowedSentinels.Sentinel sentinel) {
        try {
            return new Asked(sentinel, connections.call(sentinel.address(), jedis -> answer(sentinel, jedis)), null);
        } catch (RuntimeException e) {
            return new Asked(sentinel, null, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private SentinelDiscovery.Answer answer(FollowedSentinels.Sentinel sentinel, Jedis jedis) {
        String runId = jedis.info("server").lines().filter(l -> l.startsWith("run_id:"))
                .map(l -> l.substring("run_id:".length()).strip()).findFirst().orElse(null);
        Set<SentinelDiscovery.Peer> peers = new HashSet<>();
        for (String master : masters) {
            List<Map<String, String>> listed;
            try {
                listed = jedis.sentinelSentinels(master);
            } catch (JedisDataException e) {
                continue; // this sentinel does not monitor that master: it lists nobody for it
            }
            for (Map<String, String> peer : listed) {
                try {
                    peers.add(new SentinelDiscovery.Peer(
                            new HostPort(peer.get("ip"), HostPort.parsePort(peer.get("port"))), peer.get("runid")));
                } catch (IllegalArgumentException | NullPointerException e) {
                    LOG.warn("{} lists an invalid sentinel address {}:{}: ignored", sentinel, peer.get("ip"), peer.get("port"));
                }
            }
        }
        return new SentinelDiscovery.Answer(runId, peers);
    }

    /** Tells the observer; a discovered sentinel that does not answer is logged once per reason. */
    private void report(FollowedSentinels.Sentinel sentinel, String error) {
        observer.answered(sentinel, error);
        if (sentinel.configured()) {
            return;
        }
        if (error == null) {
            if (reported.remove(sentinel.address()) != null) {
                LOG.info("discovered sentinel {} answers again", sentinel);
            }
        } else if (!error.equals(reported.put(sentinel.address(), error))) {
            LOG.warn("discovered sentinel {} does not answer the relay (with its relay.sentinel.* settings): {}; "
                    + "it is followed and counted all the same", sentinel, error);
        }
    }
}
