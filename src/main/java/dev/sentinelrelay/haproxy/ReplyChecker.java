package dev.sentinelrelay.haproxy;

import java.util.List;

/**
 * Decides whether a runtime API reply means success. For {@code set server} / {@code shutdown sessions} lines
 * HAProxy answers success with an empty line or an "IP changed" style sentence, and failure with free text
 * (even an unknown command only gets a help text), so only known success sentences are accepted.
 */
public final class ReplyChecker {

    private static final List<String> SUCCESS_PREFIXES = List.of(
            "IP changed from ", "no need to change the addr", "port changed from ");

    private ReplyChecker() {
    }

    /**
     * Returns the reply when it means success; throws {@link HaproxyReplyException} with the first unexpected
     * line otherwise.
     */
    public static String check(String command, String reply) {
        if (reply == null) {
            throw new HaproxyReplyException(command, "no reply");
        }
        if (command.startsWith("show servers state")) {
            if (!reply.startsWith("1\n")) {
                throw new HaproxyReplyException(command, reply.lines().findFirst().orElse("(empty reply)"));
            }
            return reply;
        }
        for (String line : reply.split("\n")) {
            String text = line.strip();
            if (!text.isEmpty() && SUCCESS_PREFIXES.stream().noneMatch(text::startsWith)) {
                throw new HaproxyReplyException(command, text);
            }
        }
        return reply;
    }
}
