package dev.sentinelrelay.alerts;

import dev.sentinelrelay.support.Failures;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import org.apache.camel.http.base.HttpOperationFailedException;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * Why one delivery attempt failed, and whether trying again can help: connection errors, timeouts, 5xx, 408 and
 * 429 can; any other 4xx, a rejected SMTP login or a template that produced invalid JSON is a configuration error
 * that no retry fixes.
 *
 * @param retryAfter what the receiver asked to wait (429/503 {@code Retry-After}); null when it did not say
 */
public record DeliveryFailure(boolean retryable, String reason, Duration retryAfter) {

    private static final int MAX_BODY = 300;

    public static DeliveryFailure of(Throwable failure) {
        Throwable t = Failures.withoutCamelWrappers(failure);
        if (t instanceof HttpOperationFailedException http) {
            int status = http.getStatusCode();
            boolean retryable = status >= 500 || status == 429 || status == 408;
            String body = http.getResponseBody() == null ? "" : http.getResponseBody().strip();
            if (body.length() > MAX_BODY) {
                body = body.substring(0, MAX_BODY) + "...";
            }
            String reason = "HTTP " + status + (http.getStatusText() == null ? "" : " " + http.getStatusText())
                    + (body.isEmpty() ? "" : ": " + body) + (retryable ? "" : " (a configuration error: not retried)");
            return new DeliveryFailure(retryable, reason, retryAfter(http.getResponseHeaders(), Instant.now()));
        }
        if (t instanceof AuthenticationFailedException) {
            return new DeliveryFailure(false, "SMTP login refused: " + t.getMessage() + " (check username and password)", null);
        }
        if (t instanceof IOException || t instanceof MessagingException) {
            return new DeliveryFailure(true, t.getClass().getSimpleName() + ": " + t.getMessage(), null);
        }
        return new DeliveryFailure(false, t.getClass().getSimpleName() + ": " + t.getMessage(), null);
    }

    /** {@code Retry-After} as seconds or as an HTTP date; null when absent or unreadable. */
    static Duration retryAfter(Map<String, String> headers, Instant now) {
        if (headers == null) {
            return null;
        }
        String value = headers.entrySet().stream().filter(e -> "retry-after".equalsIgnoreCase(e.getKey()))
                .map(Map.Entry::getValue).findFirst().orElse(null);
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim())));
        } catch (NumberFormatException e) {
            try {
                Instant at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                return at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO;
            } catch (DateTimeParseException unreadable) {
                return null;
            }
        }
    }
}
