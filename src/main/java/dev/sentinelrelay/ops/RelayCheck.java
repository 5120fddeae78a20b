package dev.sentinelrelay.ops;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * One of the relay's checks in Camel's health-check registry (group {@code relay}): up while its condition holds,
 * with the relay's one-line description as the message (GET /health/ready, /health/leader: {@link HealthAnswer}).
 */
public final class RelayCheck extends AbstractHealthCheck {

    public static final String READY = "relay-ready";
    public static final String LEADER = "relay-leader";

    private final boolean readiness;
    private final BooleanSupplier up;
    private final Supplier<String> message;

    /** @param readiness whether Camel counts it among the readiness checks (the leader check is neither kind) */
    public RelayCheck(String id, boolean readiness, BooleanSupplier up, Supplier<String> message) {
        super("relay", id);
        this.readiness = readiness;
        this.up = up;
        this.message = message;
    }

    @Override
    public boolean isReadiness() {
        return readiness;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.message(message.get());
        if (up.getAsBoolean()) {
            builder.up();
        } else {
            builder.down();
        }
    }
}
