package dev.sentinelrelay.deadletter;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What could not be delivered after its retries, as {@link DeadLetters} keeps it.
 *
 * @param destination where it was going, e.g. {@code haproxy-1 (tcp:127.0.0.1:9999)}, {@code alert:ops}
 * @param details     every detail in order, the reason included
 */
public record DeadLetter(String destination, Map<String, String> details) {

    public DeadLetter {
        // the order given is the order written
        details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    public String reason() {
        return details.get("reason");
    }
}
