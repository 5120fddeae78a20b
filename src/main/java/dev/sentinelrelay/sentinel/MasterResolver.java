package dev.sentinelrelay.sentinel;

import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.RelayHealth;
import dev.sentinelrelay.configuration.RelayConfig;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

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
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "sentinel-vote");
        t.setDaemon(true);
        return t;
    });

    public MasterResolver(RelayConfig config, RelayHealth health) {
        this.config = config;
        this.health = health;
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
        long t0 = System.nanoTime();
        List<Vote> votes = askSentinels(trigger.master());
        long t1 = System.nanoTime();
        health.sentinelsAnswered(VoteTally.reachable(votes));
        Verdict verdict = decide(trigger, votes);
        org.slf4j.LoggerFactory.getLogger("TIMING").info("queued {} ms, votes {} ms, role {} ms", (t0 - trigger.receivedNanos()) / 1e6, (t1 - t0) / 1e6, (System.nanoTime() - t1) / 1e6);
        if (trigger.event() != null && trigger.event().isSwitchMaster() && !confirms(verdict, trigger.event().promoted())) {
            throw new VerificationPendingException(trigger.event(), verdict);
        }
        return verdict;
    }

    /** The verdict names the server the event announced (compared as an IP address where the event has one). */
    private static boolean confirms(Verdict verdict, HostPort promoted) {
        return verdict.verified() && (verdict.master().equals(promoted) || !HostPort.isIpLiteral(promoted.host()));
    }

    private Verdict decide(Trigger trigger, List<Vote> votes) {
        Optional<HostPort> agreed = VoteTally.majority(votes, config.sentinels().size());
        if (agreed.isEmpty()) {
            return new Verdict(trigger, null, votes, "no majority of " + config.sentinels().size() + " sentinels agrees");
        }
        HostPort candidate = agreed.get();
        String role;
        try {
            role = servers.call(candidate, jedis -> String.valueOf(jedis.role().get(0)));
        } catch (RuntimeException e) {
            return new Verdict(trigger, null, votes, "candidate " + candidate + " did not answer ROLE: " + e.getMessage());
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

    private List<Vote> askSentinels(String master) {
        List<Callable<Vote>> questions = new ArrayList<>();
        for (HostPort sentinel : config.sentinels()) {
            questions.add(() -> ask(sentinel, master));
        }
        long timeout = config.verifyTimeout().toMillis();
        List<Vote> votes = new ArrayList<>();
        try {
            List<Future<Vote>> answers = pool.invokeAll(questions, timeout, TimeUnit.MILLISECONDS);
            for (int i = 0; i < answers.size(); i++) {
                votes.add(result(answers.get(i), config.sentinels().get(i).toString()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking sentinels", e);
        }
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

    private static Vote result(Future<Vote> answer, String sentinel) {
        try {
            return answer.get();
        } catch (CancellationException e) {
            return Vote.failed(sentinel, "timed out");
        } catch (ExecutionException e) {
            return Vote.failed(sentinel, "failed: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Vote.failed(sentinel, "interrupted");
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
