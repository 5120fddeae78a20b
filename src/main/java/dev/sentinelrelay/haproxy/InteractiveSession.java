package dev.sentinelrelay.haproxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import org.apache.camel.component.netty.DefaultChannelHandlerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Keeps a runtime API connection open in HAProxy's interactive mode, so a command costs a round trip on an open
 * connection instead of a connection of its own. The first thing sent on a new connection is {@code prompt}; from
 * then on HAProxy follows every command's answer with the prompt {@code "> "} and keeps the connection open (until
 * its {@code stats timeout} of idleness). A line of {@code n} {@code ;}-separated commands has been answered after
 * {@code n} prompts: the reply is passed on then, prompts removed, which is exactly what HAProxy writes in
 * non-interactive mode (each answer ending with an empty line), so the reply checker sees no difference.
 * One line is in flight per connection at a time (camel-netty's request/reply); netty calls every method of a
 * channel's handler on that channel's event loop, so no state here is shared between threads.
 */
public final class InteractiveSession extends ChannelDuplexHandler {

    private static final String PROMPT = "\n> ";

    /** How many answers each line sent waits for, oldest first. */
    private final Deque<Integer> expected = new ArrayDeque<>();
    private final StringBuilder received = new StringBuilder();
    private final StringBuilder answers = new StringBuilder();
    private int answered;
    /** The connection's first line, held back until {@code prompt} is answered; null when none. */
    private Object held;
    private ChannelPromise heldPromise;
    private boolean promptSent;
    /** False until {@code prompt} itself was answered. */
    private boolean promptOn;

    /**
     * The first line on a connection waits for {@code prompt}'s answer: written together, HAProxy answers them in two
     * writes and the second waits for the acknowledgement of the first (~30 ms measured); a round trip is cheaper.
     */
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (!promptSent) {
            promptSent = true;
            expected.add(1);
            held = msg;
            heldPromise = promise;
            ctx.writeAndFlush(Unpooled.copiedBuffer("prompt\n", StandardCharsets.US_ASCII));
            return;
        }
        expected.add(commands(msg));
        super.write(ctx, msg, promise);
    }

    /** 1 + the number of {@code ;} in the line (values never hold one: RuntimeCommands refuses them). */
    static int commands(Object msg) {
        String line = msg instanceof ByteBuf b ? b.toString(StandardCharsets.UTF_8) : String.valueOf(msg);
        return 1 + (int) line.chars().filter(c -> c == ';').count();
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
            answers.append(received, 0, prompt + 1);
            received.delete(0, prompt + PROMPT.length());
            if (++answered == expected.peek()) {
                expected.poll();
                answered = 0;
                String reply = answers.toString();
                answers.setLength(0);
                if (promptOn) {
                    ctx.fireChannelRead(reply);
                } else {
                    promptOn = true;
                    sendHeld(ctx);
                }
            }
        }
    }

    private void sendHeld(ChannelHandlerContext ctx) {
        expected.add(commands(held));
        ctx.writeAndFlush(held, heldPromise);
        held = null;
        heldPromise = null;
    }

    /** A line held back when the connection closes before {@code prompt} was answered fails with it. */
    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (held != null) {
            heldPromise.tryFailure(new IllegalStateException("HAProxy closed the runtime API connection before prompt"));
            if (held instanceof ByteBuf b) {
                b.release();
            }
            held = null;
        }
        super.channelInactive(ctx);
    }

    /** camel-netty needs a factory for handlers that keep per-connection state. */
    public static final class Factory extends DefaultChannelHandlerFactory {
        @Override
        public ChannelHandler newChannelHandler() {
            return new InteractiveSession();
        }
    }
}
