package dev.sentinelrelay.configuration;

import dev.sentinelrelay.configuration.AlertsConfig.Channel;
import dev.sentinelrelay.configuration.AlertsConfig.Severity;
import dev.sentinelrelay.configuration.AlertsConfig.Type;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class AlertsConfigTest {

    private static final String HOOK = "https://hooks.slack.com/services/T000/B000/secrettoken";

    public static Map<String, String> withChannels() {
        Map<String, String> p = RelayConfigTest.valid();
        p.put("relay.alerts.channels", "ops,oncall");
        p.put("relay.alerts.ops.type", "slack");
        p.put("relay.alerts.ops.url", HOOK);
        p.put("relay.alerts.oncall.type", "email");
        p.put("relay.alerts.oncall.smtp-host", "smtp.example.com");
        p.put("relay.alerts.oncall.from", "relay@example.com");
        p.put("relay.alerts.oncall.to", "a@example.com, b@example.com");
        p.put("relay.alerts.oncall.username", "relay");
        p.put("relay.alerts.oncall.password", "smtp-secret");
        p.put("relay.alerts.oncall.starttls", "true");
        p.put("relay.alerts.oncall.min-severity", "critical");
        p.put("relay.alerts.oncall.send-resolved", "false");
        return p;
    }

    private static AlertsConfig read(Map<String, String> p) {
        return RelayConfig.from(p::get).alerts();
    }

    @Test
    void noChannelsMeansAlertsOffWithDefaults() {
        AlertsConfig alerts = read(RelayConfigTest.valid());
        assertFalse(alerts.enabled());
        assertEquals(Duration.ofSeconds(2), alerts.groupWindow());
        assertEquals(Duration.ofMinutes(10), alerts.repeatAfter());
        assertEquals("config/templates", alerts.templates());
    }

    @Test
    void readsEveryChannelWithItsDefaults() {
        AlertsConfig alerts = read(withChannels());
        Channel ops = alerts.channel("ops");
        assertEquals(Type.SLACK, ops.type());
        assertEquals(HOOK, ops.url());
        assertEquals(Severity.INFO, ops.minSeverity());
        assertTrue(ops.sendResolved());
        assertEquals(5, ops.attempts());
        assertEquals(Duration.ofSeconds(1), ops.retryDelay());
        Channel oncall = alerts.channel("oncall");
        assertEquals(587, oncall.smtp().port(), "STARTTLS defaults to the submission port");
        assertEquals(List.of("a@example.com", "b@example.com"), oncall.smtp().to());
        assertTrue(oncall.accepts(Severity.CRITICAL, false));
        assertFalse(oncall.accepts(Severity.WARNING, false));
        assertFalse(oncall.accepts(Severity.CRITICAL, true), "no resolves for this channel");
    }

    @Test
    void neverPrintsTheWebhookPathOrTheSmtpPassword() {
        AlertsConfig alerts = read(withChannels());
        String printed = alerts.channels().toString();
        assertFalse(printed.contains("secrettoken"), printed);
        assertFalse(printed.contains("smtp-secret"), printed);
        assertTrue(printed.contains("https://hooks.slack.com/******"), printed);
    }

    @Test
    void refusesBadChannelsNamingTheKey() {
        assertKey("relay.alerts.channels", p -> p.put("relay.alerts.channels", "Ops!"));
        assertKey("relay.alerts.channels", p -> p.put("relay.alerts.channels", "ops,ops"));
        assertKey("relay.alerts.ops.type", p -> p.put("relay.alerts.ops.type", "pager"));
        assertKey("relay.alerts.ops.url", p -> p.remove("relay.alerts.ops.url"));
        assertKey("relay.alerts.ops.url", p -> p.put("relay.alerts.ops.url", "ftp://example.com/x"));
        assertKey("relay.alerts.ops.min-severity", p -> p.put("relay.alerts.ops.min-severity", "urgent"));
        assertKey("relay.alerts.ops.attempts", p -> p.put("relay.alerts.ops.attempts", "0"));
        assertKey("relay.alerts.ops.max-retry-delay", p -> p.put("relay.alerts.ops.max-retry-delay", "10ms"));
        assertKey("relay.alerts.oncall.smtp-host", p -> p.remove("relay.alerts.oncall.smtp-host"));
        assertKey("relay.alerts.oncall.to", p -> p.put("relay.alerts.oncall.to", "not-an-address"));
        assertKey("relay.alerts.oncall.password", p -> p.remove("relay.alerts.oncall.password"));
        assertKey("relay.alerts.group-window", p -> p.put("relay.alerts.group-window", "soon"));
    }

    @Test
    void aBadUrlIsReportedWithoutPrintingIt() {
        Map<String, String> p = withChannels();
        p.put("relay.alerts.ops.url", "hooks.slack.com/services/T000/secrettoken");
        ConfigException e = assertThrows(ConfigException.class, () -> read(p));
        assertFalse(e.getMessage().contains("secrettoken"), e.getMessage());
    }

    private static void assertKey(String key, java.util.function.Consumer<Map<String, String>> change) {
        Map<String, String> p = withChannels();
        change.accept(p);
        ConfigException e = assertThrows(ConfigException.class, () -> read(p), key);
        assertTrue(e.getMessage().startsWith(key + ":"), e.getMessage());
    }

    @Test
    void emailChannelsHaveNoUrl() {
        assertNull(read(withChannels()).channel("oncall").url());
    }
}
