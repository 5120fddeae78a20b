package dev.sentinelrelay.sentinel;

import dev.sentinelrelay.configuration.HostPort;
import org.junit.jupiter.api.Test;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SentinelEventParserTest {

    private final SentinelEventParser parser = new SentinelEventParser(Set.of("mymaster", "cache.eu-1"));

    @Test
    void parsesSwitchMaster() {
        SentinelEvent e = parser.parse("+switch-master", "mymaster 10.0.0.1 6379 10.0.0.2 6380", "s1");
        assertEquals("mymaster", e.master());
        assertEquals(new HostPort("10.0.0.1", 6379), e.instance());
        assertEquals(new HostPort("10.0.0.2", 6380), e.promoted());
        assertTrue(e.isSwitchMaster());
        assertEquals("s1", e.sentinel());
    }

    @Test
    void parsesMasterEventsWithAndWithoutQuorum() {
        SentinelEvent odown = parser.parse("+odown", "master cache.eu-1 10.0.0.1 6379 #quorum 2/2", "s1");
        assertEquals("cache.eu-1", odown.master());
        assertEquals(new HostPort("10.0.0.1", 6379), odown.instance());
        assertFalse(odown.isSwitchMaster());
        assertEquals("mymaster", parser.parse("-odown", "master mymaster 10.0.0.1 6379", "s1").master());
        assertEquals("mymaster", parser.parse("+failover-end", "master mymaster 10.0.0.1 6379", "s1").master());
        assertEquals("mymaster", parser.parse("+reset-master", "master mymaster 10.0.0.1 6379", "s1").master());
    }

    @Test
    void parsesReplicaEventsForTheirMaster() {
        SentinelEvent e = parser.parse("+sdown", "slave 10.0.0.3:6381 10.0.0.3 6381 @ mymaster 10.0.0.1 6379", "s1");
        assertEquals("mymaster", e.master());
        assertEquals(new HostPort("10.0.0.3", 6381), e.instance());
        assertTrue(e.replica());
        assertFalse(parser.parse("+sdown", "master mymaster 10.0.0.1 6379", "s1").replica());
        for (String channel : List.of("+slave", "+convert-to-slave", "+slave-reconf-done")) {
            assertTrue(parser.parse(channel, "slave 10.0.0.3:6381 10.0.0.3 6381 @ mymaster 10.0.0.1 6379", "s1").replica(),
                    channel);
        }
    }

    @Test
    void parsesTiltWithoutMaster() {
        SentinelEvent e = parser.parse("+tilt", "#tilt mode entered", "s1");
        assertNull(e.master());
        assertEquals("-tilt", parser.parse("-tilt", "#tilt mode exited", "s1").type());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
            "+switch-master|mymaster 10.0.0.1 6379 10.0.0.2|malformed",
            "+switch-master|mymaster 10.0.0.1 6379 10.0.0.2 6380 extra|malformed",
            "+switch-master|mymaster 10.0.0.1 6379 10.0.0.2 0|bad-address",
            "+switch-master|mymaster 10.0.0.1 6379 10.0.0.2 65536|bad-address",
            "+switch-master|mymaster 10.0.0.1 6379 10.0.0.2;shutdown 6380|bad-address",
            "+switch-master|other 10.0.0.1 6379 10.0.0.2 6380|unknown-master",
            "+odown|master other 10.0.0.1 6379 #quorum 2/2|unknown-master",
            "+odown|master mymaster 10.0.0.1 6379 2/2|malformed",
            "+odown|replica mymaster 10.0.0.1 6379|malformed",
            "+sdown|slave 10.0.0.3:6381 10.0.0.3 6381 mymaster 10.0.0.1 6379|malformed",
            "+sdown|slave 10.0.0.3:6381 10.0.0.3 6381 @ mymaster 10.0.0.1 x|bad-address",
            "+sdown|''|malformed",
            "+sdown|NULL|malformed",
            "+tilt|#tilt|malformed",
            "+new-epoch|5|unknown-channel",
            "NULL|x|unknown-channel",
    })
    void rejectsWhatDoesNotMatchTheDocumentedShapes(String channel, String payload, String reason) {
        InvalidEventException e = assertThrows(InvalidEventException.class, () -> parser.parse(channel, payload, "s1"));
        assertEquals(reason, e.reason());
    }

    @Test
    void rejectsOversizedPayloadsAndKeepsControlCharactersOutOfTheMessage() {
        assertEquals("malformed", assertThrows(InvalidEventException.class,
                () -> parser.parse("+odown", "master mymaster 10.0.0.1 6379 #" + "x".repeat(2000), "s1")).reason());
        InvalidEventException e = assertThrows(InvalidEventException.class,
                () -> parser.parse("+switch-master", "evil\nINJECTED 10.0.0.1 6379 10.0.0.2 6380", "s1"));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void countsRejections() {
        assertEquals(1, parser.rejected());
        assertEquals(2, parser.rejected());
    }
}
