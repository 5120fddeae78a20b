package dev.sentinelrelay.destinations.readpool;

import dev.sentinelrelay.configuration.HostPort;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ReplicationOffsetsTest {

    /** A Redis 7.0 master's INFO replication with one replica online and one still loading its first sync. */
    private static final String INFO = "# Replication\r\nrole:master\r\nconnected_slaves:2\r\n"
            + "slave0:ip=127.0.0.1,port=26148,state=online,offset=249247,lag=1\r\n"
            + "slave1:ip=127.0.0.1,port=24171,state=wait_bgsave,offset=0,lag=0\r\n"
            + "master_failover_state:no-failover\r\nmaster_replid:9f0c\r\nmaster_repl_offset:259567\r\n"
            + "second_repl_offset:43757\r\nrepl_backlog_active:1\r\n";

    @Test
    void readsTheMastersOffsetAndOnlyOnlineReplicas() {
        ReplicationOffsets offsets = ReplicationOffsets.parse(INFO);
        assertEquals(259_567, offsets.masterOffset());
        assertEquals(Map.of(new HostPort("127.0.0.1", 26148), 249_247L), offsets.online());
    }

    @Test
    void aReplyWithoutTheMastersOffsetIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> ReplicationOffsets.parse("# Replication\r\nrole:slave\r\n"));
    }
}
