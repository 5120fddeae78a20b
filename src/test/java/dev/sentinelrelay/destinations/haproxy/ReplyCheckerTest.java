package dev.sentinelrelay.destinations.haproxy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static dev.sentinelrelay.destinations.haproxy.HaproxyReplies.MAP;
import static dev.sentinelrelay.destinations.haproxy.HaproxyReplies.STATE_ST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Replies as HAProxy 2.6 sends them (recorded from a real runtime API). */
class ReplyCheckerTest {

    private static final String ADDR = "set server st/node1 addr 127.0.0.2 port 6380; set server st/node1 state ready;"
            + " shutdown sessions server st/node1\n";
    private static final String FENCE = "set server st/node1 state maint; shutdown sessions server st/node1;"
            + " set server st/node2 state maint; shutdown sessions server st/node2\n";
    private static final String MAP_SET = "set map /tmp/hx/m.map mymaster redis_node2; shutdown sessions server redis_node1/node1\n";

    private static String refusal(String line, String reply) {
        return assertThrows(HaproxyReplyException.class, () -> ReplyChecker.check(line, reply)).getMessage();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "IP changed from '127.0.0.1' to '127.0.0.2', port changed from '6379' to '6380' by 'stats socket command'\n\n\n\n",
            "no need to change the addr, port changed from '6379' to '6380' by 'stats socket command'\n\n\n\n",
            "no need to change the addr, no need to change the port by 'stats socket command'\n\n\n\n",
            "\n\n\n"})
    void acceptsEverySuccessAnswerOfAnAddrLine(String reply) {
        assertEquals(reply, ReplyChecker.check(ADDR, reply));
    }

    @Test
    void acceptsEmptyAnswersForEverySetAndShutdown() {
        assertEquals("\n\n\n\n", ReplyChecker.check(FENCE, "\n\n\n\n"));
        assertEquals("\n\n", ReplyChecker.check(MAP_SET, "\n\n"));
    }

    @Test
    void namesTheOneFailingCommandInTheMiddleOfALine() {
        assertEquals("HAProxy refused 'set server st/node2 state maint': No such server.",
                refusal(FENCE, "\n\nNo such server.\n\n\n"));
    }

    @Test
    void namesAFailingLastCommand() {
        assertEquals("HAProxy refused 'shutdown sessions server st/node2': No such server.",
                refusal(FENCE, "\n\n\nNo such server.\n\n"));
    }

    @Test
    void namesAFailingFirstCommandWhenTheOthersSucceeded() {
        assertEquals("HAProxy refused 'set map /tmp/hx/m.map mymaster redis_node2': entry not found.",
                refusal(MAP_SET, "entry not found.\n\n\n"));
    }

    @Test
    void aSuccessSentenceDoesNotHideAFailureOfTheNextCommand() {
        assertEquals("HAProxy refused 'set server st/node1 state ready': No such server.",
                refusal(ADDR, "IP changed from '127.0.0.1' to '127.0.0.2', port changed from '6379' to '6380' by "
                        + "'stats socket command'\n\nNo such server.\n\n\n"));
    }

    @Test
    void answersMissingAtTheEndAreAFailure() {
        String message = refusal(FENCE, "\n");
        assertTrue(message.endsWith("': no answer"), message);
    }

    @Test
    void aReplyOneAnswerShortIsAFailure() {
        assertEquals("HAProxy refused 'shutdown sessions server st/node2': no answer", refusal(FENCE, "\n\n\n"));
    }

    @Test
    void anEmptyReplyIsAFailure() {
        assertEquals("HAProxy refused 'set server st/node1 state ready': no answer",
                refusal("set server st/node1 state ready\n", ""));
    }

    @Test
    void noReplyIsAFailure() {
        assertThrows(HaproxyReplyException.class, () -> ReplyChecker.check(FENCE, null));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "No such backend.\n\n\n\n",
            "Invalid addr 'foo.example' by 'stats socket command'\n\n\n\n",
            "Permission denied\n\n\n\n",
            "Unknown command, but maybe one of the following ones is a better match:\n  show fd [num] : dump\n"})
    void rejectsAnyOtherAnswerNamingIt(String reply) {
        String first = reply.lines().findFirst().orElseThrow().strip();
        assertEquals("HAProxy refused 'set server st/node1 addr 127.0.0.2 port 6380': " + first, refusal(ADDR, reply));
    }

    @Test
    void acceptsAServersStateAnswerAndAMapAnswerInOneLine() {
        String reply = STATE_ST + MAP;
        assertEquals(reply, ReplyChecker.check("show servers state st; show map /tmp/hx/m.map\n", reply));
    }

    @Test
    void acceptsAnEmptyMap() {
        assertEquals(STATE_ST + "\n", ReplyChecker.check("show servers state; show map /tmp/hx/m.map\n", STATE_ST + "\n"));
    }

    @Test
    void acceptsASetMapFollowedByShowMap() {
        String reply = "\n0x560862355390 mymaster redis_node2\n\n";
        assertEquals(reply, ReplyChecker.check("set map /tmp/hx/m.map mymaster redis_node2; show map /tmp/hx/m.map\n", reply));
    }

    @Test
    void rejectsAnUnknownMapNamingShowMap() {
        assertEquals("HAProxy refused 'show map /tmp/hx/m.map': Unknown map identifier. Please use #<id> or <file>.",
                refusal("show servers state; show map /tmp/hx/m.map\n",
                        STATE_ST + "Unknown map identifier. Please use #<id> or <file>.\n\n"));
    }

    @Test
    void rejectsAServersStateAnswerWithoutItsVersion() {
        assertEquals("HAProxy refused 'show servers state st': Can't find backend.",
                refusal("show servers state st\n", "Can't find backend.\n\n"));
        assertEquals("HAProxy refused 'show servers state st': (empty answer)", refusal("show servers state st\n", "\n"));
    }

    @Test
    void splitsAReplyIntoAnswersAtEmptyLines() {
        List<List<String>> answers = ReplyChecker.answers(STATE_ST + MAP);
        assertEquals(4, answers.get(0).size(), "version, header and two servers");
        assertEquals("6 st 2 node2 127.0.0.1 2 0 1 1 0 8 2 4 6 0 0 0 - 6380 - 0 0 - - 0", answers.get(0).get(3));
        assertEquals(List.of("0x560862355390 mymaster redis_node1"), answers.get(1));
    }

    @Test
    void keepsAnAnswerCutShortByTheConnectionClosing() {
        assertEquals(List.of(List.of(), List.of("No such server.")), ReplyChecker.answers("\nNo such server."));
    }

    @Test
    void splitsAReplyIntoExactlyOneAnswerPerCommand() {
        assertEquals(List.of(List.of(), List.of("0x560862355390 mymaster redis_node2")),
                ReplyChecker.answers("\n0x560862355390 mymaster redis_node2\n\n"));
        assertEquals(List.of(List.of(), List.of(), List.of()), ReplyChecker.answers("\n\n\n"));
    }
}
