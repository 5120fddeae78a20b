package dev.sentinelrelay.logging;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class SecretMaskingTest {

    @Test
    void masksEveryOccurrenceOfAPassword() {
        SecretMasking.secret("s3cr3t-pass");
        assertEquals("AUTH ****** failed, retry with ******",
                SecretMasking.mask("AUTH s3cr3t-pass failed, retry with s3cr3t-pass"));
    }

    @Test
    void showsOnlyTheHostOfAWebhookUrl() {
        SecretMasking.url("https://hooks.slack.com/services/T000/B000/hooktoken-s3cret");
        assertEquals("POST https://hooks.slack.com/****** failed",
                SecretMasking.mask("POST https://hooks.slack.com/services/T000/B000/hooktoken-s3cret failed"));
        assertEquals("path /****** refused", SecretMasking.mask("path /services/T000/B000/hooktoken-s3cret refused"));
    }

    @Test
    void aUrlWithoutPathIsMaskedWhole() {
        SecretMasking.url("http://user:pw@mail.example.com");
        assertEquals("to ******", SecretMasking.mask("to http://user:pw@mail.example.com"));
    }

    @Test
    void ignoresNullAndTooShortValues() {
        SecretMasking.secret(null);
        SecretMasking.secret("ab");
        assertEquals("ab cd", SecretMasking.mask("ab cd"));
        assertNull(SecretMasking.mask(null));
    }
}
