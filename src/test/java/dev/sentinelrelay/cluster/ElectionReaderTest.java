package dev.sentinelrelay.cluster;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** An election node's relay: the container camel-zookeeper-master writes in its node state. */
class ElectionReaderTest {

    private static String instance(String json) {
        return ElectionReader.instance(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theNodeNamesItsRelayAsContainer() {
        assertEquals("relay-2", instance(
                "{\"id\":\"leader\",\"container\":\"relay-2\",\"consumer\":\"timer://leadership\",\"started\":true}"));
    }

    @Test
    void fieldsOfALaterCamelAreSkipped() {
        assertEquals("relay-1", instance("{\"container\":\"relay-1\",\"uuid\":\"x\",\"newer\":{\"a\":1}}"));
    }

    @Test
    void aNodeWithoutReadableStateNamesNoRelay() {
        assertNull(instance("{\"id\":\"leader\"}"));
        assertNull(instance("not json"));
        assertNull(ElectionReader.instance(null));
    }
}
