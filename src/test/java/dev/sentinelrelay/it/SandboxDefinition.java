package dev.sentinelrelay.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The sandbox definition (config/sandbox/README.md) that {@link Sandbox}, bin/sandbox and the benchmarks start their
 * servers from; rendered as bin/lib/common.sh's sandbox_render does (SandboxDefinitionTest compares the two).
 */
final class SandboxDefinition {

    static final Path DIR = Sandbox.HOME.resolve("config/sandbox");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{[A-Z_]+}");

    private SandboxDefinition() {
    }

    /**
     * The fragments one after the other, each {@code ${NAME}} replaced by its value; a placeholder without one is an
     * error. Each fragment ends in one newline, as bash's {@code $(<file)} and a newline make it.
     */
    static String render(Map<String, String> values, String... fragments) {
        StringBuilder text = new StringBuilder();
        for (String fragment : fragments) {
            try {
                text.append(Files.readString(DIR.resolve(fragment)).replaceFirst("\n+$", "")).append('\n');
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        String rendered = text.toString();
        for (Map.Entry<String, String> value : values.entrySet()) {
            rendered = rendered.replace("${" + value.getKey() + "}", value.getValue());
        }
        Matcher left = PLACEHOLDER.matcher(rendered);
        if (left.find()) {
            throw new IllegalArgumentException("no value for " + left.group() + " in " + String.join(" ", fragments));
        }
        return rendered;
    }
}
