package dev.sentinelrelay.sentinel;

import dev.sentinelrelay.RelayHealth;
import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.configuration.RelayConfig;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * Verifies which server is the master right now: every configured sentinel is asked in parallel, a strict
 * majority must name the same address, and that server must itself answer {@code ROLE} as master.
 * Events only trigger this check; they never decide the answer.
 */
public final class MasterResolver implements AutoCloseable {

    private final RelayConfig config;
    private final RedisConnections sentinels;
    private final RedisConnections servers;
    private final RelayHealth health;
    private final long timeoutNanos;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "verify");
        t.setDaemon(true);
        return t;
    });

    public MasterResolver(RelayConfig config, RelayHealth health) {
        this.config = config;
        this.health = health;
        this.timeoutNanos = config.verifyTimeout().toNanos();
        this.sentinels = new RedisConnections(config.sentinelCredentials(), config.verifyTimeout());
        this.servers = new RedisConnections(config.redisCredentials(), config.verifyTimeout());
    }

    /**
     * Returns the verdict for the trigger's master. For a {@code +switch-master} whose promoted server is not
     * (yet) the verified master, throws {@link VerificationPendingException}: sentinels converge within about
     * two seconds, so the route verifies again a few times instead of waiting for the reconcile timer. Until then
     * the previous master may still verify (it answers ROLE master until it is reconfigured).
     */
    public Verdict verify(Trigger trigger) {
        HostPort promoted = trigger.event() != null ? trigger.event().promoted() : null;
        // a +switch-master names its candidate: ask it ROLE while the sentinels vote, to save a round trip
        Future<String> early = promoted != null ? pool.submit(() -> role(promoted)) : null;
        List<Vote> votes = askSentinels(trigger.master());
        health.sentinelsAnswered(VoteTally.reachable(votes));
        Verdict verdict = decide(trigger, votes, promoted, early);
        if (promoted != null && !confirms(verdict, promoted)) {
            throw new VerificationPendingException(trigger.event(), verdict);
        }
        return verdict;
    }

    /** The verdict names the server the event announced (compared as an IP address where the event has one). */
    private static boolean confirms(Verdict verdict, HostPort promoted) {
        return verdict.verified() && (verdict.master().equals(promoted) || !HostPort.isIpLiteral(promoted.host()));
    }

    private Verdict decide(Trigger trigger, List<Vote> votes, HostPort promoted, Future<String> early) {
        Optional<HostPort> agreed = VoteTally.majority(votes, config.sentinels().size());
        if (agreed.isEmpty()) {
            return new Verdict(trigger, null, votes, "no majority of " + config.sentinels().size() + " sentinels agrees");
        }
        HostPort candidate = agreed.get();
        String role;
        try {
            role = candidate.equals(promoted) ? early.get(timeoutNanos, TimeUnit.NANOSECONDS) : role(candidate);
        } catch (ExecutionException e) {
            return refused(trigger, votes, candidate, e.getCause());
        } catch (TimeoutException | RuntimeException e) {
            return refused(trigger, votes, candidate, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return refused(trigger, votes, candidate, e);
        }
        if (!"master".equals(role)) {
            return new Verdict(trigger, null, votes, "candidate " + candidate + " answers ROLE " + role);
        }
        try {
            return new Verdict(trigger, toIpLiteral(candidate), votes, null);
        } catch (UnknownHostException e) {
            return new Verdict(trigger, null, votes, "candidate host " + candidate.host() + " does not resolve");
        }
    }

    private static Verdict refused(Trigger trigger, List<Vote> votes, HostPort candidate, Throwable cause) {
        return new Verdict(trigger, null, votes, "candidate " + candidate + " did not answer ROLE: " + cause);
    }

    private String role(HostPort server) {
        return servers.call(server, jedis -> String.valueOf(jedis.role().get(0)));
    }

    /**
     * Asks every sentinel at once and stops waiting as soon as a majority of the configured sentinels agrees
     * (a slow sentinel must not slow a failover down), or when the timeout is up.
     */
    private List<Vote> askSentinels(String master) {
        CompletionService<Vote> answers = new ExecutorCompletionService<>(pool);
        List<Future<Vote>> questions = new ArrayList<>();
        for (HostPort sentinel : config.sentinels()) {
            questions.add(answers.submit(() -> ask(sentinel, master)));
        }
        List<Vote> votes = new ArrayList<>();
        long deadline = System.nanoTime() + timeoutNanos;
        try {
            while (votes.size() < questions.size()) {
                Future<Vote> answer = answers.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (answer == null) {
                    break;
                }
                votes.add(answer.get());
                if (VoteTally.majority(votes, config.sentinels().size()).isPresent()) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException("asking a sentinel failed unexpectedly", e.getCause());
        }
        questions.forEach(q -> q.cancel(false));
        boolean agreed = VoteTally.majority(votes, config.sentinels().size()).isPresent();
        Set<String> heard = votes.stream().map(Vote::sentinel).collect(Collectors.toSet());
        config.sentinels().stream().map(HostPort::toString).filter(s -> !heard.contains(s))
                .forEach(s -> votes.add(Vote.failed(s, agreed ? "not awaited (majority reached)" : "timed out")));
        return votes;
    }

    private Vote ask(HostPort sentinel, String master) {
        String name = sentinel.toString();
        try {
            List<String> addr = sentinels.call(sentinel, jedis -> jedis.sentinelGetMasterAddrByName(master));
            if (addr == null || addr.size() != 2) {
                return Vote.failed(name, "unknown master");
            }
            return Vote.of(name, new HostPort(addr.get(0), HostPort.parsePort(addr.get(1))));
        } catch (IllegalArgumentException e) {
            return Vote.failed(name, "invalid address: " + e.getMessage());
        } catch (RuntimeException e) {
            return Vote.failed(name, "unreachable: " + e.getMessage());
        }
    }

    /** HAProxy's runtime API takes IP addresses only; sentinels may announce hostnames. */
    private static HostPort toIpLiteral(HostPort address) throws UnknownHostException {
        if (HostPort.isIpLiteral(address.host())) {
            return address;
        }
        return new HostPort(InetAddress.getByName(address.host()).getHostAddress(), address.port());
    }

    @Override
    public void close() {
        pool.shutdownNow();
        sentinels.close();
        servers.close();
    }
}
