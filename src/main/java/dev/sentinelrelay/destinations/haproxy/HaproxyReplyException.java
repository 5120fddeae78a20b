package dev.sentinelrelay.destinations.haproxy;

/** HAProxy answered a runtime API command with something other than success. */
public final class HaproxyReplyException extends RuntimeException {

    public HaproxyReplyException(String command, String reply) {
        super("HAProxy refused '" + command.strip() + "': " + reply);
    }
}
