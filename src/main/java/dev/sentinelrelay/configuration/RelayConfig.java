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
        Credentials sentinelCredentials,
        Credentials redisCredentials,
        List<String> masters,
        List<HaproxyEndpoint> haproxyEndpoints,
        Map<String, HaproxyTarget> haproxyTargets,
        Duration haproxyTimeout,
        Duration verifyTimeout,
        Duration reconcileInterval,
        String apiHost,
        int apiPort) {

    /** Master names as Sentinel allows them and as safe to embed in route ids and HAProxy commands. */
    public static final Pattern MASTER_NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    /** HAProxy proxy and server names: letters, digits, '-', '_', '.', ':'. */
    public static final Pattern HAPROXY_NAME = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

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

    /** The HAProxy server entry that must always point at the master ("addr" mode). */
    public record HaproxyTarget(String backend, String server) {
    }

    public static RelayConfig from(Function<String, String> lookup) {
        Reader r = new Reader(lookup);
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
            targets.put(master, new HaproxyTarget(
                    r.haproxyName("relay.haproxy." + master + ".backend"),
                    r.haproxyName("relay.haproxy." + master + ".server")));
        }
        return new RelayConfig(
                sentinels,
                r.credentials("relay.sentinel"),
                r.credentials("relay.redis"),
                List.copyOf(masters),
                List.copyOf(endpoints),
                Map.copyOf(targets),
                r.duration("relay.haproxy.timeout", "2s"),
                r.duration("relay.verify.timeout", "500ms"),
                r.duration("relay.reconcile.interval", "10s"),
                r.host("relay.api.host", "127.0.0.1"),
                r.convert("relay.api.port", r.optional("relay.api.port", "8080"), HostPort::parsePort));
    }

    /** A majority of the configured sentinels: more than half. */
    public int sentinelMajority() {
        return sentinels.size() / 2 + 1;
    }

    /** Reads keys and turns any parse failure into a one-line {@link ConfigException} naming the key. */
    private record Reader(Function<String, String> lookup) {

        String optional(String key, String fallback) {
            String value = lookup.apply(key);
            return value == null || value.isBlank() ? fallback : value.trim();
        }

        String required(String key) {
            String value = optional(key, null);
            if (value == null) {
                throw new ConfigException(key, "is required but not set");
            }
            return value;
        }

        <T> T convert(String key, String value, Function<String, T> parser) {
            try {
                return parser.apply(value);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(key, e.getMessage());
            }
        }

        <T> List<T> list(String key, Function<String, T> parser) {
            List<T> out = new ArrayList<>();
            for (String item : required(key).split(",")) {
                if (item.isBlank()) {
                    throw new ConfigException(key, "has an empty entry");
                }
                out.add(convert(key, item.trim(), parser));
            }
            return out;
        }

        String haproxyName(String key) {
            String value = required(key);
            if (!HAPROXY_NAME.matcher(value).matches()) {
                throw new ConfigException(key, "'" + value + "' may only contain letters, digits, '.', '-', '_', ':'");
            }
            return value;
        }

        String host(String key, String fallback) {
            String value = optional(key, fallback);
            if (!HostPort.isValidHost(value)) {
                throw new ConfigException(key, "'" + value + "' is not an IP address or hostname");
            }
            return value;
        }

        Duration duration(String key, String fallback) {
            String value = optional(key, fallback);
            var m = DURATION.matcher(value);
            if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
                throw new ConfigException(key, "'" + value + "' is not a positive duration like 500ms, 10s, 5m or 1h");
            }
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        }

        Credentials credentials(String prefix) {
            String username = optional(prefix + ".username", null);
            String password = optional(prefix + ".password", null);
            if (username != null && password == null) {
                throw new ConfigException(prefix + ".password", "is required when " + prefix + ".username is set");
            }
            return new Credentials(username, password);
        }
    }
}
