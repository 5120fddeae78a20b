package dev.sentinelrelay.configuration;

import dev.sentinelrelay.configuration.RelayConfig.Credentials;
import dev.sentinelrelay.configuration.RelayConfig.HaproxyMode;
import dev.sentinelrelay.configuration.RelayConfig.HaproxyTarget;
import dev.sentinelrelay.configuration.RelayConfig.ReadPoolTarget;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

/** Reads keys and turns any parse failure into a one-line {@link ConfigException} naming the key. */
record ConfigReader(Function<String, String> lookup) {

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");
    private static final Duration MAX_DURATION = Duration.ofHours(24);

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

    /** An http:// or https:// URL with a host, without user or query; else refused as not {@code what}. */
    static void httpUrl(String key, String url, String what) {
        try {
            URI uri = new URI(url);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
                    || uri.getRawQuery() != null || uri.getRawUserInfo() != null) {
                throw new URISyntaxException(url, "not http(s)://host:port without user or query");
            }
        } catch (URISyntaxException e) {
            throw new ConfigException(key, "'" + url + "' is not " + what);
        }
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
        return haproxyName(key, required(key));
    }

    String haproxyName(String key, String value) {
        if (!RelayConfig.HAPROXY_NAME.matcher(value).matches()) {
            throw new ConfigException(key, "'" + value + "' may only contain letters, digits, '.', '-', '_', ':'");
        }
        return value;
    }

    HaproxyTarget haproxyTarget(String prefix) {
        String modeText = optional(prefix + "mode", "addr");
        HaproxyMode mode = switch (modeText) {
            case "addr" -> HaproxyMode.ADDR;
            case "state" -> HaproxyMode.STATE;
            case "map" -> HaproxyMode.MAP;
            default -> throw new ConfigException(prefix + "mode", "'" + modeText + "' is not one of addr, state, map");
        };
        boolean fence = bool(prefix + "fence", true);
        return switch (mode) {
            case ADDR -> new HaproxyTarget(mode, haproxyName(prefix + "backend"), haproxyName(prefix + "server"),
                    List.of(), null, null, fence);
            case STATE -> new HaproxyTarget(mode, haproxyName(prefix + "backend"), null, List.of(), null, null, fence);
            case MAP -> {
                String mapFile = required(prefix + "map-file");
                if (!RelayConfig.MAP_FILE.matcher(mapFile).matches() || mapFile.contains("/../") || mapFile.endsWith("/..")) {
                    throw new ConfigException(prefix + "map-file", "'" + mapFile
                            + "' must be an absolute path of letters, digits, '.', '-', '_' and '/'");
                }
                List<String> backends = list(prefix + "backends", b -> haproxyName(prefix + "backends", b));
                if (backends.stream().distinct().count() != backends.size()) {
                    throw new ConfigException(prefix + "backends", "lists the same backend twice");
                }
                String reject = optional(prefix + "reject-backend", null);
                if (fence && reject == null) {
                    throw new ConfigException(prefix + "reject-backend",
                            "is required in map mode while " + prefix + "fence is true (where fenced clients go)");
                }
                if (reject != null && backends.contains(reject)) {
                    throw new ConfigException(prefix + "reject-backend", "'" + reject
                            + "' is one of the nodes' backends: fenced clients would still reach a node");
                }
                yield new HaproxyTarget(mode, null, null, List.copyOf(backends), mapFile,
                        reject == null ? null : haproxyName(prefix + "reject-backend", reject), fence);
            }
        };
    }

    /** The master's read pool; null without {@code read-backend}. */
    ReadPoolTarget readPool(String prefix) {
        String backend = optional(prefix + "read-backend", null);
        if (backend == null) {
            for (String key : List.of("read-max-lag", "read-include-master", "read-drain")) {
                if (optional(prefix + key, null) != null) {
                    throw new ConfigException(prefix + key, "has no effect without " + prefix + "read-backend");
                }
            }
            return null;
        }
        return new ReadPoolTarget(haproxyName(prefix + "read-backend", backend),
                convert(prefix + "read-max-lag", optional(prefix + "read-max-lag", "1MB"), Sizes::parse),
                bool(prefix + "read-include-master", true), bool(prefix + "read-drain", false));
    }

    int count(String key, int fallback, int max) {
        String value = optional(key, String.valueOf(fallback));
        try {
            int n = Integer.parseInt(value);
            if (n >= 0 && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ConfigException(key, "'" + value + "' is not a whole number from 0 to " + max);
    }

    /** {@code relay.mode}: true for observe (follow, verify, read back, never write), false for act. */
    boolean mode(String key) {
        String value = optional(key, "act");
        return switch (value) {
            case "act" -> false;
            case "observe" -> true;
            default -> throw new ConfigException(key, "'" + value + "' is not act or observe");
        };
    }

    boolean bool(String key, boolean fallback) {
        String value = optional(key, String.valueOf(fallback));
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ConfigException(key, "'" + value + "' is not true or false");
        };
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
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
        if (d.compareTo(MAX_DURATION) > 0) {
            throw new ConfigException(key, "'" + value + "' is longer than " + MAX_DURATION.toHours() + "h");
        }
        return d;
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
