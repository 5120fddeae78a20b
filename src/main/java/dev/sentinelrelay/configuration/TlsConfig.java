package dev.sentinelrelay.configuration;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.sentinelrelay.tls.ClientTls;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * TLS to the sentinels and the Redis servers ({@code relay.sentinel.tls}, {@code relay.redis.tls}, independent of
 * each other), with one set of files ({@code relay.tls.*}). Every file is read and checked here, at start-up.
 *
 * @param tls   the context and the hostname rule of the side(s) that use TLS; null when neither does
 * @param files the files (checked whether used or not), for the start-up log line and the API
 */
public record TlsConfig(boolean sentinels, boolean redis, boolean verifyHostname, ClientTls tls, String files) {

    /** What the sentinels' connections use; null for plain TCP. */
    public ClientTls forSentinels() {
        return sentinels ? tls : null;
    }

    /** What the Redis servers' connections use; null for plain TCP. */
    public ClientTls forRedis() {
        return redis ? tls : null;
    }

    static TlsConfig read(ConfigReader r) {
        boolean sentinels = r.bool("relay.sentinel.tls", false);
        boolean redis = r.bool("relay.redis.tls", false);
        boolean verifyHostname = r.bool("relay.tls.verify-hostname", true);
        PemFiles files = PemFiles.read(key -> r.optional(key, null), "relay.tls.");
        ClientTls tls = sentinels || redis ? new ClientTls(files.context(), verifyHostname) : null;
        return new TlsConfig(sentinels, redis, verifyHostname, tls, files.toString());
    }

    /** For /api/configuration: what is on and which files, never the keys themselves. */
    @JsonValue
    public Map<String, Object> summary() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("sentinels", sentinels);
        out.put("redis", redis);
        out.put("verifyHostname", verifyHostname);
        out.put("files", files);
        return out;
    }

    /** For the start-up log line. */
    @Override
    public String toString() {
        if (!sentinels && !redis) {
            return "off";
        }
        return (sentinels ? "sentinels" : "") + (sentinels && redis ? " and " : "") + (redis ? "redis" : "") + " (" + files
                + (verifyHostname ? ", hostname verified" : ", hostname not verified") + ")";
    }
}
