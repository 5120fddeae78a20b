package dev.sentinelrelay.alerts;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeliveryFailureTest {

    private static HttpOperationFailedException http(int status, Map<String, String> headers, String body) {
        return new HttpOperationFailedException("http://127.0.0.1/hook", status, "status", null, headers, body);
    }

    @Test
    void serverErrorsTimeoutsAndRateLimitsAreRetried() {
        assertTrue(DeliveryFailure.of(http(500, Map.of(), "oops")).retryable());
        assertTrue(DeliveryFailure.of(http(503, Map.of(), "")).retryable());
        assertTrue(DeliveryFailure.of(http(429, Map.of(), "")).retryable());
        assertTrue(DeliveryFailure.of(http(408, Map.of(), "")).retryable());
        assertTrue(DeliveryFailure.of(new ConnectException("Connection refused")).retryable());
        assertTrue(DeliveryFailure.of(new SocketTimeoutException("Read timed out")).retryable());
        assertTrue(DeliveryFailure.of(new MessagingException("421 try later")).retryable());
    }

    @Test
    void otherClientErrorsAreConfigurationErrorsWithTheResponse() {
        DeliveryFailure f = DeliveryFailure.of(http(404, Map.of(), "no_service"));
        assertFalse(f.retryable());
        assertTrue(f.reason().contains("HTTP 404") && f.reason().contains("no_service"), f.reason());
        assertFalse(DeliveryFailure.of(http(403, Map.of(), "invalid_token")).retryable());
        assertFalse(DeliveryFailure.of(new AuthenticationFailedException("535 bad credentials")).retryable());
        assertFalse(DeliveryFailure.of(new IllegalArgumentException("template slack.ftl produced invalid JSON")).retryable());
    }

    @Test
    void camelsWrappersAreLookedThrough() {
        DeliveryFailure f = DeliveryFailure.of(new CamelExecutionException("wrapped", null, new ConnectException("refused")));
        assertTrue(f.retryable());
        assertTrue(f.reason().startsWith("ConnectException"), f.reason());
    }

    @Test
    void retryAfterInSecondsOrAsADate() {
        Instant now = Instant.parse("2026-11-22T06:00:00Z");
        assertEquals(Duration.ofSeconds(7), DeliveryFailure.retryAfter(Map.of("Retry-After", "7"), now));
        assertEquals(Duration.ofSeconds(30),
                DeliveryFailure.retryAfter(Map.of("retry-after", "Sun, 22 Nov 2026 06:00:30 GMT"), now));
        assertNull(DeliveryFailure.retryAfter(Map.of("Retry-After", "soon"), now));
        assertNull(DeliveryFailure.retryAfter(Map.of(), now));
        assertEquals(Duration.ofSeconds(7), DeliveryFailure.of(http(429, Map.of("Retry-After", "7"), "")).retryAfter());
    }

    @Test
    void longBodiesAreCut() {
        String reason = DeliveryFailure.of(http(400, Map.of(), "x".repeat(5000))).reason();
        assertTrue(reason.length() < 400, reason);
    }
}
