package dev.sentinelrelay.configuration;

import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The operator surface's keys: the API's bearer token, the log format and route hot-reload. Validated like every
 * other key: a wrong value stops the relay with one line naming the key.
 *
 * @param apiToken     bearer token every API request must carry; null: no token
 * @param jsonLogs     JSON lines instead of human-readable log lines
 * @param routesReload apply edits of routes/*.yaml while running
 */
public record OperatorConfig(String apiToken, boolean jsonLogs, boolean routesReload) {

    /** Long enough not to be guessed, and sent as a header value: printable, no spaces. */
    private static final Pattern TOKEN = Pattern.compile("[\\x21-\\x7e]{16,256}");

    public static OperatorConfig read(Function<String, String> lookup) {
        String token = value(lookup, "relay.api.token", null);
        if (token != null && !TOKEN.matcher(token).matches()) {
            throw new ConfigException("relay.api.token", "must be 16 to 256 printable characters without spaces");
        }
        String format = value(lookup, "relay.log.format", "text");
        if (!format.equals("text") && !format.equals("json")) {
            throw new ConfigException("relay.log.format", "'" + format + "' is not one of text, json");
        }
        String reload = value(lookup, "relay.routes.reload", "false");
        if (!reload.equals("true") && !reload.equals("false")) {
            throw new ConfigException("relay.routes.reload", "'" + reload + "' is not true or false");
        }
        return new OperatorConfig(token, format.equals("json"), reload.equals("true"));
    }

    private static String value(Function<String, String> lookup, String key, String fallback) {
        String value = lookup.apply(key);
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    @Override
    public String toString() {
        return "api token " + (apiToken == null ? "none" : "******") + ", logs " + (jsonLogs ? "json" : "text")
                + ", routes reload " + (routesReload ? "on" : "off");
    }
}
