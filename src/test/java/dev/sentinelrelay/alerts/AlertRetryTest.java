package dev.sentinelrelay.alerts;

import dev.sentinelrelay.configuration.AlertsConfig;
import dev.sentinelrelay.configuration.AlertsConfig.Channel;
import dev.sentinelrelay.configuration.AlertsConfig.Severity;
import dev.sentinelrelay.configuration.AlertsConfig.Type;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The retry decision of a channel's error handler, on exchanges as Camel hands them over after a failed attempt:
 * attempts counted against the channel's, no retry for a 4xx, and a receiver's Retry-After as the next delay,
 * capped at {@link AlertRetry#MAX_RETRY_AFTER}.
 */
class AlertRetryTest {

    private static final CamelContext CAMEL = new DefaultCamelContext();
    private static final int ATTEMPTS = 4;
    private static final AlertsConfig CONFIG = new AlertsConfig(List.of(new Channel("ops", Type.WEBHOOK,
            "http://127.0.0.1/hook", null, Severity.INFO, true, ATTEMPTS, Duration.ofMillis(100), Duration.ofSeconds(1))),
            Duration.ofMillis(200), Duration.ofMinutes(10), Duration.ofSeconds(1), "config/templates");
    private final AlertRetry retry = new AlertRetry(CONFIG, () -> true);

    @AfterAll
    static void stopCamel() throws Exception {
        CAMEL.close();
    }

    /** An exchange after a failed attempt: {@code retry} is Camel's counter of the retry about to happen (1 first). */
    private static Exchange failed(Throwable failure, int retry) {
        Exchange exchange = new DefaultExchange(CAMEL);
        exchange.setProperty(AlertRetry.ENTRY, new OutboxEntry("g1", "ops", "2026-12-01T00:00:00Z", List.of()));
        exchange.setException(failure);
        exchange.getIn().setHeader(Exchange.REDELIVERY_COUNTER, retry);
        return exchange;
    }

    private static HttpOperationFailedException http(int status, Map<String, String> headers) {
        return new HttpOperationFailedException("http://127.0.0.1/hook", status, "status", null, headers, "");
    }

    @Test
    void aRetryableFailureIsRetriedUntilTheChannelsAttemptsAreUsedUp() {
        for (int retryNumber = 1; retryNumber < ATTEMPTS; retryNumber++) {
            assertTrue(retry.matches(failed(new ConnectException("refused"), retryNumber)), "retry " + retryNumber);
        }
        assertFalse(retry.matches(failed(new ConnectException("refused"), ATTEMPTS)), "all " + ATTEMPTS + " attempts made");
    }

    @Test
    void aClientErrorIsNeverRetried() {
        assertFalse(retry.matches(failed(http(404, Map.of()), 1)));
        assertFalse(retry.matches(failed(http(400, Map.of("Retry-After", "5")), 1)), "not even with Retry-After");
    }

    @Test
    void retryAfterSetsTheNextDelay() {
        Exchange exchange = failed(http(429, Map.of("Retry-After", "7")), 1);
        assertTrue(retry.matches(exchange));
        assertEquals(7000L, exchange.getIn().getHeader(Exchange.REDELIVERY_DELAY, Long.class));
    }

    @Test
    void retryAfterIsCappedAtTheMaximum() {
        Exchange exchange = failed(http(503, Map.of("Retry-After", "86400")), 1);
        assertTrue(retry.matches(exchange));
        assertEquals(AlertRetry.MAX_RETRY_AFTER.toMillis(), exchange.getIn().getHeader(Exchange.REDELIVERY_DELAY, Long.class));
    }

    @Test
    void withoutRetryAfterTheBackoffDecidesAndAnEarlierDelayIsCleared() {
        Exchange exchange = failed(http(503, Map.of()), 1);
        exchange.getIn().setHeader(Exchange.REDELIVERY_DELAY, 7000L); // left by an earlier attempt's Retry-After
        assertTrue(retry.matches(exchange));
        assertNull(exchange.getIn().getHeader(Exchange.REDELIVERY_DELAY));
    }

    @Test
    void noDelayIsSetWhenNoRetryFollows() {
        Exchange exchange = failed(http(429, Map.of("Retry-After", "7")), ATTEMPTS);
        assertFalse(retry.matches(exchange));
        assertNull(exchange.getIn().getHeader(Exchange.REDELIVERY_DELAY));
    }

    @Test
    void theFailureIsAlsoFoundWhereTheErrorHandlerMovedIt() {
        Exchange exchange = failed(null, 1);
        exchange.setProperty(Exchange.EXCEPTION_CAUGHT, http(429, Map.of("Retry-After", "3")));
        assertTrue(retry.matches(exchange));
        assertEquals(3000L, exchange.getIn().getHeader(Exchange.REDELIVERY_DELAY, Long.class));
    }

    @Test
    void aRelayThatNoLongerLeadsStopsAndHoldsTheMessage() {
        AlertRetry standby = new AlertRetry(CONFIG, () -> false);
        Exchange exchange = failed(new ConnectException("refused"), 1);
        exchange.setProperty(AlertRetry.ENTRY, new OutboxEntry("g1", "ops", "2026-12-01T00:00:00Z",
                List.of(Alert.of(AlertKind.FAILOVER, "mymaster", "failover", Map.of(), "failover/mymaster/b", null))));
        assertFalse(standby.matches(exchange));
        assertEquals(Boolean.TRUE, exchange.getProperty(AlertRetry.HELD));
    }

    @Test
    void coordinationAlertsAreRetriedByTheirRaiserLeaderOrNot() {
        AlertRetry standby = new AlertRetry(CONFIG, () -> false);
        Exchange exchange = failed(new ConnectException("refused"), 1);
        exchange.setProperty(AlertRetry.ENTRY, new OutboxEntry("g1", "ops", "2026-12-01T00:00:00Z",
                List.of(Alert.of(AlertKind.COORDINATION_LOST, null, "lost", Map.of(), "coordination-lost/r1", null))));
        assertTrue(standby.matches(exchange));
        assertNull(exchange.getProperty(AlertRetry.HELD));
    }
}
