package dev.sentinelrelay.logging;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one place that knows the configured secrets (passwords, tokens, webhook URLs) and masks them in any text
 * before it is logged or shown. Every log line goes through it (see {@link MaskedMessageConverter} and
 * {@link MaskedThrowableConverter}), so a secret that ends up in an exception message from a library, or in an
 * endpoint URI Camel prints, is masked too.
 */
public final class SecretMasking {

    public static final String MASK = "******";
    /** Shorter values are too likely to appear by chance in ordinary text to be replaced everywhere. */
    private static final int MIN_LENGTH = 4;

    private static volatile Map<String, String> replacements = Map.of();

    private SecretMasking() {
    }

    /** Registers a password or token: every occurrence becomes {@value #MASK}. Null is ignored. */
    public static synchronized void secret(String value) {
        replace(value, MASK);
    }

    /**
     * Registers a URL whose path or query carries the secret (chat webhooks): it is shown as its scheme and host
     * only, e.g. {@code https://hooks.slack.com/******}. The path and query alone are masked as well, since some
     * libraries print them without the host.
     */
    public static synchronized void url(String url) {
        if (url == null) {
            return;
        }
        int pathStart = pathStart(url);
        if (pathStart < 0) {
            replace(url, MASK);
            return;
        }
        replace(url, hostOnly(url));
        replace(url.substring(pathStart), "/" + MASK);
    }

    /** How a URL registered with {@link #url} is shown: {@code https://hooks.slack.com/******}. */
    public static String hostOnly(String url) {
        int pathStart = pathStart(url);
        return pathStart < 0 ? MASK : url.substring(0, pathStart + 1) + MASK;
    }

    private static int pathStart(String url) {
        int hostStart = url.indexOf("://");
        return hostStart < 0 ? -1 : url.indexOf('/', hostStart + 3);
    }

    private static void replace(String value, String replacement) {
        if (value == null || value.length() < MIN_LENGTH) {
            return;
        }
        Map<String, String> next = new LinkedHashMap<>(replacements);
        next.put(value, replacement);
        // longest first, so a URL is replaced as a whole before its path
        Map<String, String> sorted = new LinkedHashMap<>();
        next.keySet().stream().sorted(Comparator.comparingInt(String::length).reversed())
                .forEach(k -> sorted.put(k, next.get(k)));
        replacements = sorted;
    }

    /** The text with every registered secret masked; null stays null. */
    public static String mask(String text) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (Map.Entry<String, String> e : replacements.entrySet()) {
            if (out.contains(e.getKey())) {
                out = out.replace(e.getKey(), e.getValue());
            }
        }
        return out;
    }
}
