package dev.sentinelrelay.destinations.haproxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The session against HAProxy's interactive mode, byte for byte as HAProxy 2.6 writes it (answer, then "\n> "). */
class InteractiveSessionTest {

    private static final String PROMPT = "\n> ";
    private static final String RUNNING = "Name: HAProxy\nPid: 7\nStopping: 0\nJobs: 3\n" + PROMPT;
    private static final String STOPPING = "Name: HAProxy\nPid: 7\nStopping: 1\nJobs: 3\n" + PROMPT;
    private static final String REFUSED = "No such server.\n";

    private final EmbeddedChannel channel = new EmbeddedChannel(new InteractiveSession(Duration.ofSeconds(3)));

    @Test
    void theFirstLineWaitsForPromptThenCarriesTheProbe() {
        ChannelFuture written = send("set server b/s state ready\n");
        assertEquals("prompt\n", sent());
        assertFalse(written.isDone());

        answer(PROMPT);
        assertEquals("set server b/s state ready; show info\n", sent());
        assertTrue(written.isSuccess());
        assertNull(channel.readInbound());

        answer(PROMPT + RUNNING);
        assertEquals("\n", channel.readInbound());
    }

    @Test
    void aLineOfSeveralCommandsIsPassedOnOnceEveryAnswerCame() {
        open();
        send("set server b/s addr 10.0.0.2 port 6379; set server b/s state ready; set server c/s state maint\n");
        assertEquals("set server b/s addr 10.0.0.2 port 6379; set server b/s state ready; set server c/s state maint;"
                + " show info\n", sent());

        answer("no need to change the addr\n" + PROMPT + PROMPT);
        assertNull(channel.readInbound());
        answer(REFUSED + PROMPT + RUNNING);
        // what HAProxy writes in non-interactive mode: each answer ending with an empty line, the probe's left out
        assertEquals("no need to change the addr\n\n\n" + REFUSED + "\n", channel.readInbound());
        assertNull(channel.readInbound());
    }

    @Test
    void aReplySplitAcrossReadsIsReassembled() {
        open();
        send("show servers state b; set server b/s state ready\n");
        sent();
        String reply = "1\n# be_id be_name srv_id\n2 b 1 s\n" + PROMPT + PROMPT + RUNNING;
        for (char c : reply.toCharArray()) {
            assertNull(channel.readInbound());
            answer(String.valueOf(c));
        }
        assertEquals("1\n# be_id be_name srv_id\n2 b 1 s\n\n\n", channel.readInbound());
    }

    @Test
    void aCloseMidReplyFailsTheLineAndPassesNothingOn() {
        open();
        send("set server b/s state ready; show servers state b\n");
        answer(PROMPT + "1\n# be_id");
        channel.close();
        assertNull(channel.readInbound());
        IOException failure = assertThrows(IOException.class, channel::checkException);
        assertTrue(failure.getMessage().contains("closed the runtime API session before answering"));
    }

    @Test
    void aCloseBeforePromptFailsTheHeldLine() {
        ChannelFuture written = send("set server b/s state ready\n");
        channel.close();
        assertInstanceOf(IOException.class, written.cause());
        assertThrows(IOException.class, channel::checkException);
    }

    @Test
    void aStoppingProcessFailsTheLineAndClosesTheSession() {
        open();
        send("set server b/s state ready\n");
        // the embedded channel rethrows what reached the end of the pipeline (camel-netty's handler, in the relay)
        assertThrows(InteractiveSession.StoppingProcessException.class, () -> answer(PROMPT + STOPPING));
        assertNull(channel.readInbound());
        assertFalse(channel.isOpen());
    }

    @Test
    void anIdleSessionAsksTheProbeAndSwallowsItsAnswer() {
        open();
        tick();
        assertEquals("", sent(), "something was sent during the first tick");
        tick();
        assertEquals("show info\n", sent());
        tick();
        assertEquals("", sent(), "a keep-alive waits for the answer to the one before");

        answer(RUNNING);
        assertNull(channel.readInbound());
        tick();
        assertEquals("show info\n", sent());
        answer(RUNNING);
        assertTrue(channel.isOpen());
    }

    @Test
    void aLineSentWhileAKeepAliveIsAnsweredGetsItsOwnAnswers() {
        open();
        tick();
        tick();
        assertEquals("show info\n", sent());
        send("set server b/s state ready\n");
        answer(RUNNING + REFUSED + PROMPT + RUNNING);
        assertEquals(REFUSED + "\n", channel.readInbound());
    }

    @Test
    void aKeepAliveReachingAStoppingProcessClosesTheSessionQuietly() {
        open();
        tick();
        tick();
        assertEquals("show info\n", sent());
        answer(STOPPING);
        assertFalse(channel.isOpen());
        channel.checkException();
    }

    @Test
    void aLineWhoseLastAnswerIsNotTheProbesFailsAndClosesTheSession() {
        open();
        send("set server b/s state ready\n");
        // one prompt more than counted (an answer that held one): the probe's place holds another answer
        IOException failure = assertThrows(IOException.class, () -> answer(PROMPT + PROMPT + RUNNING));
        assertTrue(failure.getMessage().contains("out of step"), failure.getMessage());
        assertNull(channel.readInbound());
        assertFalse(channel.isOpen());
    }

    @Test
    void bytesNobodyAskedForCloseTheSessionQuietly() {
        open();
        answer("Unknown command.\n" + PROMPT);
        assertNull(channel.readInbound());
        assertFalse(channel.isOpen());
        channel.checkException();
    }

    @Test
    void noKeepAliveBeforeTheSessionIsOpen() {
        tick();
        tick();
        assertEquals("", sent());
    }

    /** A session whose prompt is on and whose first line was answered. */
    private void open() {
        send("set server b/s state ready\n");
        answer(PROMPT);
        answer(PROMPT + RUNNING);
        sent();
        assertEquals("\n", channel.readInbound());
    }

    private ChannelFuture send(String line) {
        ChannelFuture written = channel.writeOneOutbound(line);
        channel.flushOutbound();
        return written;
    }

    private void answer(String bytes) {
        channel.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.UTF_8));
    }

    private void tick() {
        channel.advanceTimeBy(3, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
    }

    /** Everything written to HAProxy since the last call. */
    private String sent() {
        StringBuilder out = new StringBuilder();
        ByteBuf b;
        while ((b = channel.readOutbound()) != null) {
            out.append(b.toString(StandardCharsets.UTF_8));
            b.release();
        }
        return out.toString();
    }
}
