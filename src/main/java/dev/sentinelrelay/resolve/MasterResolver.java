package dev.sentinelrelay.resolve;

import dev.sentinelrelay.sentinel.MasterAddresses;
import dev.sentinelrelay.sentinel.SentinelQuorum;
import dev.sentinelrelay.sentinel.RedisConnections;
import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.configuration.RelayConfig;
import dev.sentinelrelay.sentinel.TlsFailureLog;

import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Verifies which server is the master right now: every followed sentinel is asked in parallel, a strict
 * majority of them (as followed at that moment) must name the same address, and that server must itself answer {@code ROLE} as master.
 * Events only trigger this check; they never decide the answer.
 */
public final class MasterResolver implements AutoCloseable {

    /** The vote of a sentinel that was not waited for because the others already agreed. */
    public static final String NOT_AWAITED = "not awaited (majority reached)";

    private final RedisConnections sentinels;
    private final MasterAddresses addresses;
    private final RedisConnections servers;
    /** The API's questions get their own connections: an operator's page never holds up a verification. */
    private final RedisConnections apiSentinels;
    /** The read pool's questions too: judging replicas never holds up (or waits behind) a verification. */
    private final RedisConnections readPoolSentinels;
    private final RelayHealth health;
    private final Consumer<Verdict> verdicts;
    private final Supplier<List<HostPort>> followed;
    private final SentinelQuorum quorum;
    private final TlsFailureLog tlsFailures = new TlsFailureLog();

    /**
     * @param followed the sentinels followed now (the configured ones, and the discovered ones with discovery on)
     * @param verdicts told every verdict (for the API and the metrics), before a pending one is retried
     * @param pool     asks the sentinels; its owner shuts it down
     */
    public MasterResolver(RelayConfig config, Supplier<List<HostPort>> followed, RelayHealth health,
                          Consumer<Verdict> verdicts, ExecutorService pool) {
        this.followed = followed;
        this.health = health;
        this.verdicts = verdicts;
        this.quorum = new SentinelQuorum(followed, config.verifyTimeout(), pool);
        // every master may verify at once, a whole host of them in a failure: their questions to one sentinel go
        // out pipelined in one round trip at a time (MasterAddresses), over a connection or two
        this.sentinels = sentinelConnections(config, RedisConnections.DEFAULT_PER_SERVER, tlsFailures);
        this.addresses = new MasterAddresses(sentinels, pool);
        // the read pool judges every master's replicas at once: a connection each to every sentinel, so no
        // master's question waits behind another's (measured: 50 at once over 4 connections per sentinel took
        // several times longer than over one each)
        int everyMaster = Math.max(RedisConnections.DEFAULT_PER_SERVER, config.masters().size());
        this.servers = new RedisConnections("redis", config.redisCredentials(), config.tls().forRedis(),
                config.verifyTimeout(), RedisConnections.DEFAULT_PER_SERVER, tlsFailures);
        this.apiSentinels = sentinelConnections(config, RedisConnections.DEFAULT_PER_SERVER, tlsFailures);
        this.readPoolSentinels = sentinelConnections(config, everyMaster, tlsFailures);
    }

    /** Where a TLS failure with a sentinel or server is logged, once: shared with the subscriptions. */
    public TlsFailureLog tlsFailures() {
        return tlsFailures;
    }

    private static RedisConnections sentinelConnections(RelayConfig config, int perSentinel, TlsFailureLog tlsFailures) {
        return new RedisConnections("sentinel", config.sentinelCredentials(), config.tls().forSentinels(),
                config.verifyTimeout(), perSentinel, tlsFailures);
    }

    /**
     * Returns the verdict for the trigger's master. For a {@code +switch-master} whose promoted server is not
     * (yet) the verified master, throws {@link VerificationPendingException}: sentinels converge within about
     * two seconds, so the route verifies again a few times instead of waiting for the reconcile timer. Until then
     * the previous master may still verify (it answers ROLE master until it is reconfigured).
     */
    public Verdict verify(Trigger trigger) {
        HostPort promoted = trigger.event() != null ? trigger.event().promoted() : null;
        List<HostPort> sentinels = followed.get();
        List<Vote> votes = askSentinels(trigger.master(), sentinels);
        health.sentinelsAnswered(VoteTally.reachable(votes));
        Verdict verdict = decide(trigger, votes, sentinels.size());
        verdicts.accept(verdict);
        if (promoted != null && !confirms(verdict, promoted)) {
            throw new VerificationPendingException(trigger.event(), verdict);
        }
        return verdict;
    }

    /** The verdict names the server the event announced (a hostname compared by its address). */
    private static boolean confirms(Verdict verdict, HostPort promoted) {
        return verdict.verified() && promoted.sameServer(verdict.master());
    }

    /**
     * Only the server a majority names is asked ROLE: asking the server an event announces would let one sentinel
     * (or anyone who can publish as one) make the relay connect, and send the Redis password, wherever it says.
     */
    private Verdict decide(Trigger trigger, List<Vote> votes, int sentinels) {
        Optional<HostPort> agreed = VoteTally.majority(votes, sentinels);
        if (agreed.isEmpty()) {
            return new Verdict(trigger, null, votes, "no majority of " + sentinels + " sentinels agrees");
        }
        HostPort candidate = agreed.get();
        String role;
        try {
            role = role(candidate);
        } catch (RuntimeException e) {
            return refused(trigger, votes, candidate, e);
        }
        if (!"master".equals(role)) {
            return new Verdict(trigger, null, votes, "candidate " + candidate + " answers ROLE " + role);
        }
        try {
            return new Verdict(trigger, candidate.toIpLiteral(), votes, null);
        } catch (UnknownHostException e) {
            return new Verdict(trigger, null, votes, "candidate host " + candidate.host() + " does not resolve");
        }
    }

    private Verdict refused(Trigger trigger, List<Vote> votes, HostPort candidate, Throwable cause) {
        return new Verdict(trigger, null, votes, "candidate " + candidate + " did not answer ROLE: "
                + servers.tlsReason(cause).orElse(String.valueOf(cause)));
    }

    private String role(HostPort server) {
        return String.valueOf(roleReply(server).get(0));
    }

    /** The server's whole ROLE reply: {@code [master, ...]} or {@code [slave, master-host, master-port, ...]}. */
    public List<Object> roleReply(HostPort server) {
        return servers.call(server, jedis -> jedis.role());
    }

    /**
     * True when a majority of the followed sentinels flags the master subjectively or objectively down
     * ({@code SENTINEL MASTER}); a single sentinel's {@code +odown} is not enough to fence a master.
     */
    public boolean majoritySeesDown(String master) {
        return quorum.majoritySays(sentinel -> seesDown(sentinel, master));
    }

    /**
     * True when a majority of the followed sentinels lists {@code replica} as a replica of the master: the
     * relay only connects to (and authenticates with) servers the sentinels vouch for, never to an address
     * taken from an event.
     */
    public boolean majorityListsReplica(String master, HostPort replica) {
        return quorum.majoritySays(sentinel -> listsReplica(sentinel, master, replica));
    }

    /**
     * The master's replicas as the first sentinel to answer {@code SENTINEL REPLICAS} lists them (address and
     * flags), for the API; empty when no sentinel answers.
     */
    public List<Map<String, String>> replicas(String master) {
        List<List<Map<String, String>>> answers = quorum.ask(sentinel -> {
            try {
                return apiSentinels.call(sentinel, jedis -> jedis.sentinelReplicas(master));
            } catch (RuntimeException e) {
                return null;
            }
        }, heard -> heard.stream().anyMatch(Objects::nonNull));
        return answers.stream().filter(Objects::nonNull).findFirst().orElse(List.of()).stream()
                .map(r -> Map.of("address", new HostPort(r.get("ip"), HostPort.parsePort(r.get("port"))).toString(),
                        "flags", r.getOrDefault("flags", "")))
                .toList();
    }

    /**
     * Every followed sentinel's {@code SENTINEL REPLICAS} answer, waiting for all of them (up to the verify timeout):
     * one entry per sentinel asked, null for one that could not be asked or was not heard in time, so the list's size
     * is the number of sentinels a majority is counted over (the set asked, even if discovery changes it meanwhile).
     */
    public List<List<Map<String, String>>> replicaLists(String master) {
        List<HostPort> asked = followed.get();
        List<List<Map<String, String>>> answers = new ArrayList<>(quorum.ask(asked, sentinel -> {
            try {
                return readPoolSentinels.call(sentinel, jedis -> jedis.sentinelReplicas(master));
            } catch (RuntimeException e) {
                return null;
            }
        }, heard -> heard.size() == asked.size()));
        while (answers.size() < asked.size()) {
            answers.add(null);
        }
        return answers;
    }

    /**
     * The server's {@code INFO replication} text. Only for a server the relay verified as the master: the relay never
     * connects to an address that no sentinel majority vouches for.
     */
    public String replicationInfo(HostPort verifiedMaster) {
        return servers.call(verifiedMaster, jedis -> jedis.info("replication"));
    }

    private boolean listsReplica(HostPort sentinel, String master, HostPort replica) {
        try {
            return sentinels.call(sentinel, jedis -> jedis.sentinelReplicas(master)).stream()
                    .anyMatch(r -> replica.host().equals(r.get("ip")) && String.valueOf(replica.port()).equals(r.get("port")));
        } catch (RuntimeException e) {
            return false;
        }
    }

    private boolean seesDown(HostPort sentinel, String master) {
        try {
            String flags = sentinels.call(sentinel, jedis -> jedis.sentinelMaster(master)).getOrDefault("flags", "");
            return flags.contains("s_down") || flags.contains("o_down");
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Every sentinel's vote; those not heard once a majority agreed (or the timeout was up) say why. */
    private List<Vote> askSentinels(String master, List<HostPort> sentinels) {
        List<Vote> votes = quorum.await(sentinels.stream().map(s -> ask(s, master)).toList(),
                heard -> VoteTally.majority(heard, sentinels.size()).isPresent());
        boolean agreed = VoteTally.majority(votes, sentinels.size()).isPresent();
        Set<String> heard = votes.stream().map(Vote::sentinel).collect(Collectors.toSet());
        sentinels.stream().map(HostPort::toString).filter(s -> !heard.contains(s))
                .forEach(s -> votes.add(Vote.failed(s, agreed ? NOT_AWAITED : "timed out")));
        return votes;
    }

    private CompletableFuture<Vote> ask(HostPort sentinel, String master) {
        String name = sentinel.toString();
        return addresses.ask(sentinel, master).handle((addr, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
                return Vote.failed(name, "unreachable: " + sentinels.tlsReason(cause).orElse(cause.getMessage()));
            }
            if (addr == null || addr.size() != 2) {
                return Vote.failed(name, "unknown master");
            }
            try {
                return Vote.of(name, new HostPort(addr.get(0), HostPort.parsePort(addr.get(1))));
            } catch (IllegalArgumentException e) {
                return Vote.failed(name, "invalid address: " + e.getMessage());
            }
        });
    }

    @Override
    public void close() {
        sentinels.close();
        servers.close();
        apiSentinels.close();
        readPoolSentinels.close();
    }
}
