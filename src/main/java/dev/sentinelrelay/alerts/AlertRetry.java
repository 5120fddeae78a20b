package dev.sentinelrelay.alerts;

import dev.sentinelrelay.configuration.AlertsConfig;
import dev.sentinelrelay.configuration.AlertsConfig.Channel;
import org.apache.camel.Exchange;
import org.apache.camel.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * The retry decision of a channel route's error handler, evaluated after each failed attempt: retry while the
 * failure is retryable and the channel's attempts are not used up. When the receiver sent {@code Retry-After},
 * the next attempt waits that long (at most {@link #MAX_RETRY_AFTER}) instead of the exponential backoff. A relay
 * that stopped leading meanwhile makes no further attempt: it sets {@link #HELD} and the dead-letter route keeps
 * the message in the outbox (the same rule as the channel route's: the leader, or an alert the raiser sends itself).
 */
public final class AlertRetry implements Predicate {

    private static final Logger LOG = LoggerFactory.getLogger(AlertRetry.class);
    static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(15);
    public static final String ENTRY = "alertEntry";
    /** Exchange property, true when the attempts stopped because this relay no longer leads. */
    public static final String HELD = "alertHeld";

    private final AlertsConfig config;
    private final BooleanSupplier mayWrite;

    /** @param mayWrite {@code leadership.mayWrite}: whether this relay sends the leader's alerts */
    public AlertRetry(AlertsConfig config, BooleanSupplier mayWrite) {
        this.config = config;
        this.mayWrite = mayWrite;
    }

    @Override
    public boolean matches(Exchange exchange) {
        OutboxEntry entry = exchange.getProperty(ENTRY, OutboxEntry.class);
        Channel channel = config.channel(entry.channel());
        Throwable failure = exchange.getException() != null ? exchange.getException()
                : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        DeliveryFailure f = DeliveryFailure.of(failure);
        // Camel counts the retry about to happen: 1 before the second attempt
        int retry = exchange.getIn().getHeader(Exchange.REDELIVERY_COUNTER, 1, Integer.class);
        boolean again = f.retryable() && retry < channel.attempts();
        if (again && !entry.deliveredByRaiser() && !mayWrite.getAsBoolean()) {
            LOG.warn("alert to {}: attempt {} failed: {}; no retry: this relay no longer leads, the message stays "
                    + "in its outbox", channel.name(), retry, f.reason());
            exchange.setProperty(HELD, true);
            return false;
        }
        exchange.getIn().removeHeader(Exchange.REDELIVERY_DELAY);
        if (again && f.retryAfter() != null) {
            Duration wait = f.retryAfter().compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : f.retryAfter();
            exchange.getIn().setHeader(Exchange.REDELIVERY_DELAY, wait.toMillis());
        }
        if (again) {
            LOG.warn("alert to {}: attempt {} of {} failed: {}; retrying{}", channel.name(), retry, channel.attempts(),
                    f.reason(), f.retryAfter() == null ? "" : " after " + f.retryAfter().toMillis() + " ms (Retry-After)");
        }
        return again;
    }
}
