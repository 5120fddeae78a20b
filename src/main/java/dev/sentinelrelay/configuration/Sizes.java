package dev.sentinelrelay.configuration;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Byte sizes as operators write them: {@code 0}, {@code 1048576}, {@code 512kB}, {@code 1MB}, {@code 2GB} (1024-based). */
final class Sizes {

    private static final Pattern SIZE = Pattern.compile("(\\d{1,12})\\s*(B|kB|KB|MB|GB)?");
    private static final long MAX = 1L << 40;

    private Sizes() {
    }

    static long parse(String text) {
        Matcher m = SIZE.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size like 0, 65536, 512kB, 1MB or 2GB");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2);
        int shift = switch (unit) {
            case "kB", "KB" -> 10;
            case "MB" -> 20;
            case "GB" -> 30;
            default -> 0;
        };
        if (n > MAX >> shift) {
            throw new IllegalArgumentException("'" + text + "' is larger than 1TB");
        }
        return n << shift;
    }
}
