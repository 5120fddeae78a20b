package dev.sentinelrelay.configuration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OperatorConfigTest {

    @Test
    void defaults() {
        OperatorConfig c = OperatorConfig.read(Map.<String, String>of()::get);
        assertNull(c.apiToken());
        assertFalse(c.jsonLogs());
        assertFalse(c.routesReload());
        assertEquals("api token none, logs text, routes reload off", c.toString());
    }

    @Test
    void readsEveryKeyAndNeverShowsTheToken() {
        OperatorConfig c = OperatorConfig.read(Map.of("relay.api.token", "0123456789abcdef", "relay.log.format", "json",
                "relay.routes.reload", "true")::get);
        assertEquals("0123456789abcdef", c.apiToken());
        assertTrue(c.jsonLogs());
        assertTrue(c.routesReload());
        assertEquals("api token ******, logs json, routes reload on", c.toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "relay.api.token|short",
            "relay.api.token|has a space in it, sixteen+",
            "relay.log.format|xml",
            "relay.routes.reload|yes",
    })
    void invalidValuesNameTheKey(String key, String value) {
        ConfigException e = assertThrows(ConfigException.class, () -> OperatorConfig.read(Map.of(key, value)::get));
        assertTrue(e.getMessage().startsWith(key + ": "), e.getMessage());
        assertFalse(e.getMessage().contains(value) && key.equals("relay.api.token"), "the token is not repeated");
    }
}
