package dev.sentinelrelay.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import dev.sentinelrelay.resolve.RelayHealth;
import dev.sentinelrelay.resolve.Routing;
import dev.sentinelrelay.configuration.HaproxyEndpoint;
import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.configuration.OperatorConfig;
import dev.sentinelrelay.configuration.RelayConfig;
import dev.sentinelrelay.logging.SecretMasking;
import dev.sentinelrelay.resolve.Verdict;
import dev.sentinelrelay.resolve.Vote;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The read-only API's answers, as JSON: what the relay believes (topology, sentinels, events) and how it is
 * configured. Every answer goes through {@link SecretMasking}, and the configuration masks every password and
 * token field by name as well, so a secret too short to be registered for masking is not shown either.
 */
public final class RelayApi {

    /** How many events /api/events returns without ?limit=. */
    static final int DEFAULT_LIMIT = 50;
    private static final Pattern SECRET_FIELD = Pattern.compile("(?i).*(password|token|secret).*");

    private final ObjectMapper json = new ObjectMapper()
            .registerModule(new SimpleModule()
                    .addSerializer(HostPort.class, ToStringSerializer.instance)
                    .addSerializer(HaproxyEndpoint.class, ToStringSerializer.instance)
                    .addSerializer(Duration.class, ToStringSerializer.instance)
                    .addSerializer(RelayConfig.Credentials.class, ToStringSerializer.instance))
            .enable(SerializationFeature.INDENT_OUTPUT);

    private final RelayConfig config;
    private final OperatorConfig operator;
    private final EventLog log;
    private final MasterLedger ledger;
    private final SentinelDirectory directory;
    private final RelayHealth health;
    /** What each HAProxy endpoint holds for a master, and what Consul and Kubernetes hold (null: off). */
    private final Holdings holdings;
    private final Function<String, List<Map<String, String>>> replicas;
    /** The master's read pool (ReadPools.view); null when it has none. */
    private final Function<String, Map<String, Object>> readPool;
    /** This relay in its cluster: role, leader, ZooKeeper (Leadership.view()). */
    private final Supplier<Map<String, Object>> cluster;

    /** What the destinations are known to hold: {@link Routing#holding()}, or null when not known. */
    public interface Holdings {
        String haproxy(HaproxyEndpoint endpoint, String master);

        String consul(String master);

        String kubernetes(String master);
    }

    /** Reads the state's views: its event log, its per-master ledger and its sentinel directory. */
    public RelayApi(RelayConfig config, OperatorConfig operator, RelayState state, RelayHealth health,
                    Holdings holdings, Function<String, List<Map<String, String>>> replicas,
                    Function<String, Map<String, Object>> readPool, Supplier<Map<String, Object>> cluster) {
        this.config = config;
        this.operator = operator;
        this.log = state.log();
        this.ledger = state.ledger();
        this.directory = state.directory();
        this.health = health;
        this.holdings = holdings;
        this.replicas = replicas;
        this.readPool = readPool;
        this.cluster = cluster;
    }

    /**
     * GET /api/cluster: this relay's role, the leader, ZooKeeper, the last takeovers; and per master what this relay
     * routes (or would route, when it does not write) and whether every destination agrees.
     */
    public String cluster() {
        Map<String, Object> out = new LinkedHashMap<>(cluster.get());
        List<Object> masters = new ArrayList<>();
        for (String name : config.masters()) {
            Routing routing = ledger.current(name);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", name);
            m.put("route", routing == null ? null : routing.holding());
            Map<String, Object> destinations = new LinkedHashMap<>();
            boolean agree = routing != null;
            for (HaproxyEndpoint endpoint : config.haproxyEndpoints()) {
                agree &= agrees(destinations, endpoint.id(), holdings.haproxy(endpoint, name), routing, name);
            }
            if (config.consulEnabled()) {
                agree &= agrees(destinations, "consul", holdings.consul(name), routing, name);
            }
            if (config.kubernetesEnabled()) {
                agree &= agrees(destinations, "kubernetes", holdings.kubernetes(name), routing, name);
            }
            m.put("destinationsAgree", agree);
            m.put("destinations", destinations);
            masters.add(m);
        }
        out.put("masters", masters);
        return write(out);
    }

    private boolean agrees(Map<String, Object> into, String id, String holds, Routing routing, String master) {
        boolean agrees = routing != null && routing.holding().equals(holds);
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("holds", holds);
        d.put("agrees", agrees);
        d.put("wouldWrite", ledger.wouldWrite(id, master));
        into.put(id, d);
        return agrees;
    }

    /** Per master: the verified master, replicas, votes, what every destination holds, the last change. */
    public String topology() {
        List<Object> masters = new ArrayList<>();
        for (String name : config.masters()) {
            masters.add(master(name));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ready", health.ready());
        out.put("health", health.describe());
        out.put("masters", masters);
        return write(out);
    }

    private Map<String, Object> master(String name) {
        Routing routing = ledger.current(name);
        Verdict verdict = ledger.lastVerdict(name);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("mode", config.haproxyTargets().get(name).mode().name().toLowerCase());
        m.put("master", routing == null ? null : String.valueOf(routing.master()));
        m.put("fenced", routing != null && routing.fenced());
        m.put("fenceReason", routing != null && routing.fenced() ? routing.reason() : null);
        m.put("verification", verification(verdict, name));
        m.put("replicas", replicas.apply(name));
        m.put("readPool", readPool.apply(name));
        List<Object> destinations = new ArrayList<>();
        for (HaproxyEndpoint endpoint : config.haproxyEndpoints()) {
            destinations.add(destination(endpoint.id(), endpoint.toString(), holdings.haproxy(endpoint, name), routing, name));
        }
        if (config.consulEnabled()) {
            destinations.add(destination("consul", config.consul().url(), holdings.consul(name), routing, name));
        }
        if (config.kubernetesEnabled()) {
            destinations.add(destination("kubernetes", config.kubernetes().url() == null ? "auto-configured"
                    : config.kubernetes().url(), holdings.kubernetes(name), routing, name));
        }
        m.put("destinations", destinations);
        MasterLedger.Change change = ledger.lastChange(name);
        m.put("lastChange", change == null ? null : change.toMap());
        return m;
    }

    private Map<String, Object> verification(Verdict verdict, String name) {
        if (verdict == null) {
            return null;
        }
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("time", String.valueOf(ledger.verdictTime(name)));
        v.put("verified", verdict.verified() ? verdict.master().toString() : null);
        v.put("refusal", verdict.refusal());
        List<Object> votes = new ArrayList<>();
        for (Vote vote : verdict.votes()) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("sentinel", vote.sentinel());
            one.put("master", vote.master() == null ? null : vote.master().toString());
            one.put("error", vote.error());
            votes.add(one);
        }
        v.put("votes", votes);
        return v;
    }

    private Map<String, Object> destination(String id, String where, String holds, Routing routing, String master) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("name", id);
        d.put("endpoint", where);
        d.put("holds", holds);
        boolean inStep = routing != null && routing.holding().equals(holds);
        d.put("inStep", inStep);
        String problem = ledger.problem(id, master);
        String wouldWrite = ledger.wouldWrite(id, master);
        d.put("reason", inStep ? null : problem != null ? problem
                : wouldWrite != null ? (holds == null ? "read back out of step" : "holds " + holds)
                        + "; this relay does not write (see /api/cluster), it would write " + wouldWrite
                : routing == null ? "no verified master yet" : "not known to hold " + routing.holding() + " (updating or read back pending)");
        return d;
    }

    /** Every followed sentinel (configured or discovered, since when) and, with discovery on, what it last saw. */
    public String sentinels() {
        List<Object> out = new ArrayList<>();
        directory.sentinels().forEach(s -> out.add(s.toMap()));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("sentinels", out);
        if (config.discovery().enabled()) {
            body.put("discovery", directory.discovery());
        }
        return write(body);
    }

    /** The newest events first; {@code limit} from the query string (1 to the ring buffer's size). */
    public String events(String limit) {
        int n = limit == null || limit.isBlank() ? DEFAULT_LIMIT : parseLimit(limit);
        List<Object> out = new ArrayList<>();
        log.events(n).forEach(e -> out.add(e.toMap()));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("capacity", log.capacity());
        body.put("events", out);
        return write(body);
    }

    private int parseLimit(String limit) {
        try {
            int n = Integer.parseInt(limit.strip());
            if (n >= 1 && n <= log.capacity()) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new IllegalArgumentException("limit must be a whole number from 1 to " + log.capacity());
    }

    /** The effective configuration (defaults filled in, -D and environment applied), secrets masked. */
    public String configuration() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("relay", json.valueToTree(config));
        out.put("operator", json.valueToTree(operator));
        JsonNode tree = json.valueToTree(out);
        maskSecretFields(tree);
        return write(tree);
    }

    private static void maskSecretFields(JsonNode node) {
        if (node instanceof ObjectNode object) {
            Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
            List<String> secret = new ArrayList<>();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (SECRET_FIELD.matcher(field.getKey()).matches() && !field.getValue().isNull()) {
                    secret.add(field.getKey());
                } else {
                    maskSecretFields(field.getValue());
                }
            }
            secret.forEach(key -> object.put(key, SecretMasking.MASK));
        } else if (node != null && node.isArray()) {
            node.forEach(RelayApi::maskSecretFields);
        }
    }

    /** The status page at /: one self-contained HTML file that fills itself from this API. */
    public String statusPage() {
        try (InputStream in = RelayApi.class.getResourceAsStream("/status.html")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("the status page is missing from the jar", e);
        }
    }

    private String write(Object value) {
        try {
            return SecretMasking.mask(json.writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
    }
}
