package dev.sentinelrelay.sentinel;

/** A {@code +switch-master} whose promoted server the sentinels have not confirmed yet; retried shortly. */
public final class VerificationPendingException extends RuntimeException {

    private final transient Verdict verdict;

    public VerificationPendingException(Verdict verdict) {
        super(verdict.toString());
        this.verdict = verdict;
    }

    public Verdict verdict() {
        return verdict;
    }
}
