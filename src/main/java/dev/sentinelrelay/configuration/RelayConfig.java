package dev.sentinelrelay.configuration;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The validated relay configuration. {@link #from} checks every key and throws a {@link ConfigException}
 * naming the first key that is missing or wrong, so the relay refuses to start instead of running half-configured.
 */
public record RelayConfig(
        List<HostPort> sentinels,
        DiscoveryConfig discovery,
        Credentials sentinelCredentials,
        Credentials redisCredentials,
        TlsConfig tls,
        List<String> masters,
        List<HaproxyEndpoint> haproxyEndpoints,
        Map<String, HaproxyTarget> haproxyTargets,
        Map<String, ReadPoolTarget> readPools,
        Duration haproxyTimeout,
        Duration fenceTimeout,
        Duration verifyTimeout,
        Duration reconcileInterval,
        int warmUpRounds,
        String dataDir,
        String apiHost,
        int apiPort,
        ConsulConfig consul,
        KubernetesConfig kubernetes,
        AlertsConfig alerts,
        ClusterConfig cluster,
        boolean observe) {

    /** Master names as Sentinel allows them and as safe to embed in route ids and HAProxy commands. */
    public static final Pattern MASTER_NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    /** HAProxy proxy and server names: letters, digits, '-', '_', '.', ':'. */
    public static final Pattern HAPROXY_NAME = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    /** Map file paths as they appear in runtime API commands: absolute, no spaces, no separators. */
    public static final Pattern MAP_FILE = Pattern.compile("(/[A-Za-z0-9._-]{1,128}){1,16}");


    /** Optional AUTH for Redis or Sentinel; both null when not configured. */
    public record Credentials(String username, String password) {
        public boolean present() {
            return password != null;
        }

        @Override
        public String toString() {
            return present() ? (username == null ? "default" : username) + ":******" : "none";
        }
    }

    /** How HAProxy is told where a master is; see config/haproxy/ for a working configuration of each. */
    public enum HaproxyMode {
        /** One server entry whose address follows the master. */
        ADDR,
        /** One backend listing every node of the group; only the master's server is not in maintenance. */
        STATE,
        /** One backend per node; a map entry keyed by the master name picks the master's backend. */
        MAP
    }

    /**
     * What the relay changes in HAProxy for one master.
     *
     * @param backend       addr and state: the backend holding the master's server entry (or entries)
     * @param server        addr: the server entry that follows the master
     * @param backends      map: one backend per node of the group
     * @param mapFile       map: the map file as HAProxy's configuration names it; rewritten on every change
     * @param rejectBackend map: where the entry points while the master is fenced; null when not fencing
     * @param fence         stop routing to a master whose writes are doomed, before the new one is announced
     */
    public record HaproxyTarget(HaproxyMode mode, String backend, String server, List<String> backends, String mapFile,
                                String rejectBackend, boolean fence) {
    }

    /**
     * The read pool of one master: a backend listing every node of the group, whose servers the relay puts in
     * (ready) or out (maint, or drain) as the sentinels judge the replicas.
     *
     * @param maxLagBytes   a replica further behind the master is out; 0: no lag check
     * @param includeMaster the master serves reads too; false: only while no replica qualifies
     * @param drain         out means drain (no new sessions, current ones kept) instead of maint + sessions cut
     */
    public record ReadPoolTarget(String backend, long maxLagBytes, boolean includeMaster, boolean drain) {
    }

    public static RelayConfig from(Function<String, String> lookup) {
        ConfigReader r = new ConfigReader(lookup);
        List<HostPort> sentinels = r.list("relay.sentinels", HostPort::parse);
        if (sentinels.stream().distinct().count() != sentinels.size()) {
            throw new ConfigException("relay.sentinels", "lists the same sentinel twice");
        }
        List<String> masters = r.list("relay.masters", name -> {
            if (!MASTER_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("master name '" + name + "' may only contain letters, digits, '.', '-', '_'");
            }
            return name;
        });
        if (masters.stream().distinct().count() != masters.size()) {
            throw new ConfigException("relay.masters", "lists the same master twice");
        }
        List<String> endpointTexts = r.list("relay.haproxy.endpoints", s -> s);
        List<HaproxyEndpoint> endpoints = new ArrayList<>();
        for (int i = 0; i < endpointTexts.size(); i++) {
            String id = "haproxy-" + (i + 1);
            endpoints.add(r.convert("relay.haproxy.endpoints", endpointTexts.get(i), t -> HaproxyEndpoint.parse(id, t)));
        }
        Map<String, HaproxyTarget> targets = new LinkedHashMap<>();
        for (String master : masters) {
            targets.put(master, r.haproxyTarget("relay.haproxy." + master + "."));
        }
        Map<String, ReadPoolTarget> readPools = new LinkedHashMap<>();
        for (String master : masters) {
            ReadPoolTarget pool = r.readPool("relay.haproxy." + master + ".");
            if (pool != null) {
                checkReadBackendIsItsOwn(master, pool, targets, readPools);
                readPools.put(master, pool);
            }
        }
        return new RelayConfig(
                sentinels,
                DiscoveryConfig.read(r),
                r.credentials("relay.sentinel"),
                r.credentials("relay.redis"),
                TlsConfig.read(r),
                List.copyOf(masters),
                List.copyOf(endpoints),
                Map.copyOf(targets),
                Map.copyOf(readPools),
                r.duration("relay.haproxy.timeout", "2s"),
                r.duration("relay.fence.timeout", "30s"),
                r.duration("relay.verify.timeout", "500ms"),
                r.duration("relay.reconcile.interval", "10s"),
                r.count("relay.warm-up.rounds", 50, 10_000),
                r.optional("relay.data.dir", "data"),
                r.host("relay.api.host", "127.0.0.1"),
                r.convert("relay.api.port", r.optional("relay.api.port", "8080"), HostPort::parsePort),
                ConsulConfig.read(key -> r.optional(key, null), masters),
                KubernetesConfig.read(r, masters),
                AlertsConfig.read(r),
                ClusterConfig.read(r),
                r.mode("relay.mode"));
    }

    /**
     * A read backend is a backend of its own: were it a write backend (of any master) or another master's read
     * backend, readying replicas there would send writes, or another group's reads, to them.
     */
    private static void checkReadBackendIsItsOwn(String master, ReadPoolTarget pool, Map<String, HaproxyTarget> targets,
                                                 Map<String, ReadPoolTarget> readPools) {
        String key = "relay.haproxy." + master + ".read-backend";
        targets.forEach((other, target) -> {
            if (pool.backend().equals(target.backend()) || target.backends().contains(pool.backend())) {
                throw new ConfigException(key, "'" + pool.backend() + "' is a write backend of " + other
                        + ": the read pool needs a backend of its own");
            }
        });
        readPools.forEach((other, otherPool) -> {
            if (pool.backend().equals(otherPool.backend())) {
                throw new ConfigException(key, "'" + pool.backend() + "' is the read backend of " + other + " too");
            }
        });
    }

    /** True when {@code relay.consul.url} is set: the Consul branch is on. */
    public boolean consulEnabled() {
        return consul != null;
    }

    /** True when {@code relay.kubernetes.enabled} is true: the Kubernetes branch is on. */
    public boolean kubernetesEnabled() {
        return kubernetes != null;
    }

    /** True when {@code relay.cluster.zookeeper} or {@code relay.cluster.kubernetes.enabled} is set: relays elect a leader. */
    public boolean clustered() {
        return cluster != null;
    }

    /** True when this relay takes part in a cluster's election on a Kubernetes Lease (acting, on a Lease). */
    public boolean electsOnLease() {
        return elects() && cluster.lease() != null;
    }

    /** True when this relay takes part in a cluster's election: clustered and acting (an observer never leads). */
    public boolean elects() {
        return clustered() && !observe;
    }

    /** A majority of the configured sentinels: more than half (with discovery on, of the followed ones: see FollowedSentinels). */
    public int sentinelMajority() {
        return sentinels.size() / 2 + 1;
    }
}
