package dev.sentinelrelay.destinations.haproxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.concurrent.ScheduledFuture;
import org.apache.camel.component.netty.DefaultChannelHandlerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a runtime API connection open in HAProxy's interactive mode, so a command costs a round trip on an open
 * connection instead of a connection of its own. The first thing sent on a new connection is {@code prompt}; from
 * then on HAProxy follows every command's answer with the prompt {@code "> "} and keeps the connection open. A line
 * of {@code n} {@code ;}-separated commands has been answered after {@code n} prompts: the reply is passed on then,
 * prompts removed, which is exactly what HAProxy writes in non-interactive mode (each answer ending with an empty
 * line), so the reply checker sees no difference.
 * <p>
 * Two things an open connection must guard against:
 * <ul>
 * <li>HAProxy closes a CLI connection idle for its {@code stats timeout} (10 s by default), and reconnecting costs
 * the first command after a quiet period several times a round trip: an idle session asks {@link #PROBE} every
 * {@code keepAlive} tick (3 s) that finds nothing sent since the previous one (so after 3 to 6 s of quiet), its
 * answer swallowed.</li>
 * <li>A reloaded HAProxy's old process keeps serving the connections it had, this one included, and lives as long
 * as they do: commands would change a process that no longer takes traffic. So every line ends with {@link #PROBE}
 * too, and an answer from a stopping process fails the line ({@link StoppingProcessException}, so the caller's
 * retry sends it again on a new connection, which reaches the new process) and closes the connection; a keep-alive
 * that finds the process stopping just closes it.</li>
 * </ul>
 * A close before a line is answered fails it (and nothing cut off is passed on); the caller's retry reconnects.
 * Netty calls every method of a channel's handler on that channel's event loop, so no state here is shared between
 * threads.
 */
public final class InteractiveSession extends ChannelDuplexHandler {

    private static final String PROMPT = "\n> ";
    /** Asked after every line and as the keep-alive: its answer says whether the process is stopping. */
    private static final String PROBE = "show info";
    private static final String STOPPING = "\nStopping: 1\n";
    /** How the probe's answer begins: a line's last answer that does not is another command's, the count is off. */
    private static final String PROBE_ANSWER = "Name: ";
    private static final Duration KEEP_ALIVE = Duration.ofSeconds(3);

    /** One line sent: how many answers it waits for (the probe's included); a keep-alive's reply is nobody's. */
    private record Sent(int answers, boolean keepAlive) {
    }

    private final long keepAliveNanos;
    private final Deque<Sent> expected = new ArrayDeque<>();
    private final StringBuilder received = new StringBuilder();
    private final StringBuilder answers = new StringBuilder();
    private int answered;
    /** Where the last answer in {@link #answers} starts: a line's last answer is the probe's. */
    private int lastAnswer;
    /** The connection's first line, held back until {@code prompt} is answered; null when none. */
    private String held;
    private ChannelPromise heldPromise;
    private boolean promptSent;
    /** False until {@code prompt} itself was answered. */
    private boolean promptOn;
    /** Whether anything was sent since the last keep-alive tick. */
    private boolean sentSinceTick;
    private ScheduledFuture<?> keepAliveTask;

    public InteractiveSession(Duration keepAlive) {
        this.keepAliveNanos = keepAlive.toNanos();
    }

    /**
     * The first line on a connection waits for {@code prompt}'s answer: written together, HAProxy answers them in two
     * writes and the second waits for the acknowledgement of the first (~30 ms measured); a round trip is cheaper.
     */
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        String line = text(msg);
        if (!promptSent) {
            promptSent = true;
            expected.add(new Sent(1, false));
            held = line;
            heldPromise = promise;
            send(ctx, "prompt\n", ctx.newPromise());
            return;
        }
        sendLine(ctx, line, promise);
    }

    private static String text(Object msg) {
        if (msg instanceof ByteBuf b) {
            try {
                return b.toString(StandardCharsets.UTF_8);
            } finally {
                b.release();
            }
        }
        return String.valueOf(msg);
    }

    /** The line with {@link #PROBE} after its commands. */
    private void sendLine(ChannelHandlerContext ctx, String line, ChannelPromise promise) {
        expected.add(new Sent(commands(line) + 1, false));
        send(ctx, line.strip() + "; " + PROBE + "\n", promise);
    }

    private void send(ChannelHandlerContext ctx, String text, ChannelPromise promise) {
        sentSinceTick = true;
        ctx.writeAndFlush(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8), promise);
    }

    /** 1 + the number of {@code ;} in the line (values never hold one: RuntimeCommands refuses them). */
    static int commands(String line) {
        return 1 + (int) line.chars().filter(c -> c == ';').count();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        keepAliveTask = ctx.executor().scheduleAtFixedRate(() -> keepAlive(ctx), keepAliveNanos, keepAliveNanos,
                TimeUnit.NANOSECONDS);
        super.channelActive(ctx);
    }

    /** Asks the probe when the session is open, nothing waits for an answer, and nothing was sent since the last tick. */
    private void keepAlive(ChannelHandlerContext ctx) {
        boolean idle = !sentSinceTick;
        sentSinceTick = false;
        if (promptOn && expected.isEmpty() && idle) {
            expected.add(new Sent(1, true));
            ChannelPromise written = ctx.newPromise();
            // a keep-alive nobody waits for: a failed write closes the session rather than leave it half-open
            written.addListener(f -> {
                if (!f.isSuccess()) {
                    ctx.close();
                }
            });
            send(ctx, PROBE + "\n", written);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        try {
            received.append(in.toString(StandardCharsets.UTF_8));
        } finally {
            in.release();
        }
        int prompt;
        while (!expected.isEmpty() && (prompt = received.indexOf(PROMPT)) >= 0) {
            // one command's answer, up to and including its last newline
            lastAnswer = answers.length();
            answers.append(received, 0, prompt + 1);
            received.delete(0, prompt + PROMPT.length());
            if (++answered == expected.peek().answers()) {
                answered(ctx, expected.poll());
            }
        }
        if (expected.isEmpty() && !received.isEmpty() && ctx.channel().isActive()) {
            // nothing was asked: answers and commands no longer pair up on this connection
            outOfStep(ctx, false);
        }
    }

    private void answered(ChannelHandlerContext ctx, Sent line) {
        answered = 0;
        String reply = answers.toString();
        answers.setLength(0);
        if (!promptOn) {
            promptOn = true;
            sendLine(ctx, held, heldPromise);
            held = null;
            heldPromise = null;
            return;
        }
        if (!reply.startsWith(PROBE_ANSWER, lastAnswer)) {
            outOfStep(ctx, !line.keepAlive());
        } else if (reply.indexOf(STOPPING, lastAnswer) >= 0) {
            if (!line.keepAlive()) {
                ctx.fireExceptionCaught(new StoppingProcessException());
            }
            ctx.close();
        } else if (!line.keepAlive()) {
            ctx.fireChannelRead(reply.substring(0, lastAnswer));
        }
    }

    /**
     * The answers no longer pair up with the commands (a prompt more or less than counted): the session is closed, so
     * no answer is ever taken for another command's; a line that waited fails, and the caller's retry reconnects.
     */
    private void outOfStep(ChannelHandlerContext ctx, boolean lineWaits) {
        if (lineWaits) {
            ctx.fireExceptionCaught(new IOException("the runtime API session is out of step (an answer did not end "
                    + "where expected); reconnecting"));
        }
        expected.clear();
        received.setLength(0);
        ctx.close();
    }

    /**
     * A close while a line waits for its answers (or for {@code prompt}'s) fails that line with a reason an operator
     * can read (camel-netty's own is "No response received").
     */
    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (keepAliveTask != null) {
            keepAliveTask.cancel(false);
        }
        IOException closed = new IOException("HAProxy closed the runtime API session before answering");
        if (held != null) {
            heldPromise.tryFailure(closed);
            held = null;
        }
        if (expected.stream().anyMatch(line -> !line.keepAlive())) {
            expected.clear();
            ctx.fireExceptionCaught(closed);
        }
        super.channelInactive(ctx);
    }

    /** The session reached an HAProxy process that was reloaded and is stopping. */
    public static final class StoppingProcessException extends IllegalStateException {
        StoppingProcessException() {
            super("the runtime API session reached a stopping HAProxy process (reloaded); the next attempt reconnects");
        }
    }

    /** camel-netty needs a factory for handlers that keep per-connection state. */
    public static final class Factory extends DefaultChannelHandlerFactory {
        @Override
        public ChannelHandler newChannelHandler() {
            return new InteractiveSession(KEEP_ALIVE);
        }
    }
}
