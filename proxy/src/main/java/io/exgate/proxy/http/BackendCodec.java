package io.exgate.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.util.AsciiString;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The HTTP/1.1 codec of a backend connection: Netty's {@code HttpClientCodec} as exgate uses it (no
 * upgrade, no check for missing answers), with the answer's usual header names made once
 * ({@link HeaderNames#ANSWER}); {@code HttpClientCodec}'s decoder cannot be extended for that.
 *
 * <p>As there, the encoder remembers each request's method so that the decoder knows the answer to a
 * HEAD has no body whatever its headers say, and that after a 200 to a CONNECT the bytes are no longer HTTP.
 */
final class BackendCodec extends CombinedChannelDuplexHandler<HttpResponseDecoder, HttpRequestEncoder> {
    private final ArrayDeque<HttpMethod> asked = new ArrayDeque<>(2);
    private boolean tunnel;

    BackendCodec(HttpDecoderConfig config) {
        init(new Decoder(config), new Encoder());
    }

    private final class Encoder extends HttpRequestEncoder {
        @Override
        protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out) throws Exception {
            if (msg instanceof HttpRequest request && !tunnel) {
                asked.offer(request.method());
            }
            super.encode(ctx, msg, out);
        }
    }

    private final class Decoder extends HttpResponseDecoder {
        Decoder(HttpDecoderConfig config) {
            super(config);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
            if (tunnel) {
                int readable = actualReadableBytes();
                if (readable > 0) {
                    out.add(buffer.readBytes(readable));
                }
                return;
            }
            super.decode(ctx, buffer, out);
        }

        @Override
        protected AsciiString splitHeaderName(byte[] sb, int start, int length) {
            AsciiString known = HeaderNames.ANSWER.known(sb, start, length);
            return known != null ? known : super.splitHeaderName(sb, start, length);
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpMessage msg) {
            HttpResponse answer = (HttpResponse) msg;
            if (answer.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                // A 100 Continue is not the answer: the request's method waits for the real one.
                return super.isContentAlwaysEmpty(msg);
            }
            HttpMethod method = asked.poll(); // null when a server answers twice: the pairing stays in step
            if (HttpMethod.HEAD.equals(method)) {
                return true;
            }
            if (HttpMethod.CONNECT.equals(method) && answer.status().code() == 200) {
                tunnel = true;
                asked.clear();
                return true;
            }
            return super.isContentAlwaysEmpty(msg);
        }
    }
}
