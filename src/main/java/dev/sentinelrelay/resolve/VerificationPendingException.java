package dev.sentinelrelay.resolve;

import dev.sentinelrelay.sentinel.SentinelEvent;

/** A {@code +switch-master} whose promoted server is not the verified master (yet); verified again shortly. */
public final class VerificationPendingException extends RuntimeException {

    private final transient Verdict verdict;

    public VerificationPendingException(SentinelEvent event, Verdict verdict) {
        super(event + " not confirmed: " + verdict);
        this.verdict = verdict;
    }

    public Verdict verdict() {
        return verdict;
    }
}
