package dev.sentinelrelay.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonLineLayoutTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final LoggerContext context = new LoggerContext();

    private LoggingEvent event(String message, Throwable thrown, Object... args) {
        return new LoggingEvent("test", context.getLogger("dev.sentinelrelay.test"), Level.WARN, message, thrown, args);
    }

    @Test
    void oneJsonObjectPerLineWithEverySecretMasked() throws Exception {
        SecretMasking.secret("redis-s3cret");
        SecretMasking.url("https://hooks.slack.com/services/T000/B000/hooktoken-s3cret");
        JsonLineLayout layout = new JsonLineLayout();
        String line = layout.doLayout(event("AUTH {} then POST {}\nsecond line", new IllegalStateException(
                "refused https://hooks.slack.com/services/T000/B000/hooktoken-s3cret"), "redis-s3cret",
                "https://hooks.slack.com/services/T000/B000/hooktoken-s3cret"));

        assertTrue(line.endsWith("\n"));
        assertEquals(1, line.strip().lines().count(), "one line: " + line);
        assertFalse(line.contains("redis-s3cret") || line.contains("hooktoken-s3cret") || line.contains("services/T000"), line);
        JsonNode json = JSON.readTree(line);
        assertEquals("WARN", json.get("level").asText());
        assertEquals("dev.sentinelrelay.test", json.get("logger").asText());
        assertEquals("AUTH ****** then POST https://hooks.slack.com/******\nsecond line", json.get("message").asText());
        assertTrue(json.get("exception").asText().startsWith(
                "java.lang.IllegalStateException: refused https://hooks.slack.com/******"), json.toString());
        assertTrue(json.get("exception").asText().contains("\tat "), "with the stack trace");
    }

    @Test
    void withoutStackTracesOnlyTheExceptionsClassAndMessage() throws Exception {
        JsonLineLayout layout = new JsonLineLayout();
        layout.setStackTraces(false);
        JsonNode json = JSON.readTree(layout.doLayout(event("resubscribing", new IllegalStateException("down"))));
        assertEquals("java.lang.IllegalStateException: down", json.get("exception").asText());
        assertFalse(json.has("exception") && json.get("exception").asText().contains("\tat "));
    }
}
