package dev.sentinelrelay.configuration;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where and how the relay publishes each verified master as a Consul catalog service. Optional: without
 * {@code relay.consul.url} there is no Consul branch at all ({@link #read} returns null).
 *
 * @param token      ACL token; null for none. Never printed: {@link #toString()} masks it
 * @param datacenter null for the agent's own datacenter
 * @param tls        CA and client certificate for an https:// Consul; null for the JDK's trust store and none
 */
public record ConsulConfig(String url, String token, String datacenter, PemFiles tls, Map<String, ConsulTarget> targets) {

    /** Service and node names end up in DNS ({@code <service>.service.consul}): one DNS label. */
    static final Pattern DNS_LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    /** Path segments of a KV key; '.' and '..' alone are refused, as they would move the key in a URL path. */
    static final Pattern KV_KEY = Pattern.compile("(?!\\.{1,2}(/|$))[A-Za-z0-9._-]{1,128}(/(?!\\.{1,2}(/|$))[A-Za-z0-9._-]{1,128}){0,15}");
    /** ACL tokens are UUIDs; anything printable without spaces is accepted, since it goes into a query parameter. */
    static final Pattern TOKEN = Pattern.compile("[\\x21-\\x7e]{1,256}");

    /**
     * What the catalog holds for one master: service {@code service} with ID {@code service} (stable, so a
     * re-registration replaces the address) on the external node {@code node}.
     *
     * @param kvKey also write {@code ip:port} under this KV key; null for none
     */
    public record ConsulTarget(String service, List<String> tags, String node, String kvKey) {
    }

    /** The Consul settings, or null when {@code relay.consul.url} is not set. */
    static ConsulConfig read(Function<String, String> optional, List<String> masters) {
        String url = optional.apply("relay.consul.url");
        if (url == null) {
            return null;
        }
        ConfigReader.httpUrl("relay.consul.url", url, "an http:// or https:// URL like http://127.0.0.1:8500");
        String token = optional.apply("relay.consul.token");
        if (token != null && !TOKEN.matcher(token).matches()) {
            throw new ConfigException("relay.consul.token", "must be 1-256 printable characters without spaces");
        }
        String datacenter = optional.apply("relay.consul.datacenter");
        check("relay.consul.datacenter", datacenter, NAME, "letters, digits, '.', '-', '_'");
        List<String> tlsFiles = Stream.of("relay.consul.ca-file", "relay.consul.cert-file", "relay.consul.key-file")
                .filter(key -> optional.apply(key) != null).toList();
        if (!tlsFiles.isEmpty() && !url.startsWith("https://")) {
            throw new ConfigException(tlsFiles.get(0), "is set but relay.consul.url is not an https:// URL");
        }
        PemFiles tls = tlsFiles.isEmpty() ? null : PemFiles.read(optional, "relay.consul.");
        Map<String, ConsulTarget> targets = new LinkedHashMap<>();
        // lower-cased service name -> the master that has it: Consul's DNS does not tell Redis-A from redis-a
        Map<String, String> serviceOwners = new LinkedHashMap<>();
        for (String master : masters) {
            String prefix = "relay.consul." + master + ".";
            String setService = optional.apply(prefix + "service");
            String service = orDefault(setService, derivedName(master));
            check(prefix + "service", service, DNS_LABEL, "one DNS label: letters, digits, '-', at most 63");
            String owner = serviceOwners.putIfAbsent(service.toLowerCase(Locale.ROOT), master);
            if (owner != null) {
                throw new ConfigException(prefix + "service", (setService == null ? "derived name '" : "'") + service
                        + "' collides with the service of master '" + owner + "'; set a name of its own");
            }
            String node = orDefault(optional.apply(prefix + "node"), derivedName(master));
            check(prefix + "node", node, DNS_LABEL, "one DNS label: letters, digits, '-', at most 63");
            List<String> tags = List.of(orDefault(optional.apply(prefix + "tags"), "master").split(","));
            for (String tag : tags) {
                check(prefix + "tags", tag.trim(), NAME, "comma-separated tags of letters, digits, '.', '-', '_'");
            }
            String kvKey = optional.apply(prefix + "kv-key");
            check(prefix + "kv-key", kvKey, KV_KEY,
                    "a key like redis/" + master + "/master (letters, digits, '.', '-', '_', '/'; no '.' or '..' parts)");
            targets.put(master, new ConsulTarget(service, tags.stream().map(String::trim).toList(), node, kvKey));
        }
        return new ConsulConfig(url, token, datacenter, tls, Map.copyOf(targets));
    }

    /**
     * The default service and node name of a master: {@code redis-<master>} made one DNS label whatever the master
     * name (Sentinel allows '.' and '_'): every character outside letters, digits and '-' becomes '-', the name is
     * cut to 63 characters and trailing '-' are dropped ({@code cache-eu.1} -> {@code redis-cache-eu-1}).
     */
    static String derivedName(String master) {
        String name = ("redis-" + master).replaceAll("[^A-Za-z0-9-]", "-");
        return name.substring(0, Math.min(name.length(), 63)).replaceAll("-+$", "");
    }

    private static void check(String key, String value, Pattern pattern, String rule) {
        if (value != null && !pattern.matcher(value).matches()) {
            throw new ConfigException(key, "'" + value + "' is not valid: " + rule);
        }
    }

    private static String orDefault(String value, String fallback) {
        return value == null ? fallback : value;
    }

    /** The token, masked like the Redis passwords. */
    public String maskedToken() {
        return token == null ? "none" : "******";
    }

    @Override
    public String toString() {
        return url + (datacenter == null ? "" : " dc " + datacenter) + ", token " + maskedToken()
                + (tls == null ? "" : ", tls " + tls) + ", services " + targets;
    }
}
