package dev.sentinelrelay.haproxy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Replies as HAProxy 2.6 sends them (recorded from a real runtime API). */
class ReplyCheckerTest {

    private static final String SET = "set server b/s addr 10.0.0.2 port 6380; set server b/s state ready; shutdown sessions server b/s\n";

    @ParameterizedTest
    @ValueSource(strings = {
            "IP changed from '127.0.0.1' to '127.0.0.2', port changed from '7001' to '7002' by 'stats socket command'\n\n\n\n",
            "no need to change the addr, no need to change the port by 'stats socket command'\n\n\n\n",
            "no need to change the addr, port changed from '7001' to '7000' by 'stats socket command'\n\n\n\n",
            "\n\n\n"})
    void acceptsSuccess(String reply) {
        assertDoesNotThrow(() -> ReplyChecker.check(SET, reply));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "No such server.\n\n",
            "No such backend.\n\n",
            "Invalid addr 'foo.example' by 'stats socket command'\n\n",
            "Permission denied\n\n",
            "IP changed from '127.0.0.1' to '127.0.0.2' by 'stats socket command'\n\nNo such server.\n\n",
            "Unknown command, but maybe one of the following ones is a better match:\n  show fd [num] : dump\n"})
    void rejectsAnythingElse(String reply) {
        HaproxyReplyException e = assertThrows(HaproxyReplyException.class, () -> ReplyChecker.check(SET, reply));
        assertTrue(e.getMessage().contains(reply.lines().filter(l -> !l.isBlank() && !l.startsWith("IP changed")).findFirst().orElseThrow().strip()),
                e.getMessage());
    }

    @Test
    void rejectsNoReply() {
        assertThrows(HaproxyReplyException.class, () -> ReplyChecker.check(SET, null));
    }

    @Test
    void checksServersStateReplies() {
        assertDoesNotThrow(() -> ReplyChecker.check("show servers state b\n", "1\n# be_id be_name\n"));
        assertThrows(HaproxyReplyException.class, () -> ReplyChecker.check("show servers state b\n", "Can't find backend.\n\n"));
    }
}
