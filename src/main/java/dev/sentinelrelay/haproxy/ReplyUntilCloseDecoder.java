package dev.sentinelrelay.haproxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import org.apache.camel.component.netty.DefaultChannelHandlerFactory;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Emits HAProxy's whole runtime API reply as one String when HAProxy closes the connection. A line-based
 * decoder would hand back one arbitrary line of a multi-line reply.
 */
public final class ReplyUntilCloseDecoder extends ByteToMessageDecoder {

    private boolean emitted;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        // keep accumulating: the reply is complete only when the peer closes
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (!emitted) {
            emitted = true;
            out.add(in.readCharSequence(in.readableBytes(), StandardCharsets.UTF_8).toString());
        }
    }

    /** camel-netty needs a factory for handlers that keep per-connection state. */
    public static final class Factory extends DefaultChannelHandlerFactory {
        @Override
        public ChannelHandler newChannelHandler() {
            return new ReplyUntilCloseDecoder();
        }
    }
}
