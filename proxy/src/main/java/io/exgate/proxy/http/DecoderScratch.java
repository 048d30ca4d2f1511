package io.exgate.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpObjectDecoder;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Netty's HTTP/1.x decoder parses each header line in a scratch buffer that grows to the longest line
 * the connection has sent and is never given back. One Kerberos token (often 8-16 KB, up to 64 KB) would
 * then stay with each connection for its life, and a server holds ten thousand NotificationWaits. Netty
 * has no API for it, so the buffer is reached by its field and cut back after the head: the decoder
 * clears it before every line it parses, so nothing in it is needed between two decodes.
 */
final class DecoderScratch {
    private static final Logger LOG = LoggerFactory.getLogger(DecoderScratch.class);
    /** Most heads' longest line fits (a Bearer token of 2-3 KB included): they never grow it again. */
    static final int KEPT = 4096;
    private static final VarHandle BUFFER = find();

    private DecoderScratch() {
    }

    private static VarHandle find() {
        try {
            return MethodHandles.privateLookupIn(HttpObjectDecoder.class, MethodHandles.lookup())
                    .findVarHandle(HttpObjectDecoder.class, "parserScratchBuffer", ByteBuf.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // Another Netty: everything works, only a connection keeps its longest header line's buffer.
            LOG.info("header line buffers are not cut back after large heads with this Netty ({})", e.toString());
            return null;
        }
    }

    /** Cuts the decoder's buffer back to {@link #KEPT}; only between two of its decodes. */
    static void shrink(HttpObjectDecoder decoder) {
        if (BUFFER == null) {
            return;
        }
        ByteBuf buffer = (ByteBuf) BUFFER.get(decoder);
        if (buffer.capacity() > KEPT) {
            buffer.clear().capacity(KEPT);
        }
    }
}
