package dev.sentinelrelay.sentinel;

/** A Sentinel event that failed validation; {@link #reason()} is a short label for counting. */
public final class InvalidEventException extends RuntimeException {

    private final String reason;

    public InvalidEventException(String reason, String detail) {
        super(reason + ": " + detail);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
