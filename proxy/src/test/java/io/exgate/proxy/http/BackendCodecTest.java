package io.exgate.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The backend connection's codec: answers paired with the methods asked, names kept as the server spelt them. */
class BackendCodecTest {
    private final EmbeddedChannel channel = new EmbeddedChannel(new BackendCodec(new HttpDecoderConfig()));

    private void ask(HttpMethod method, String uri) {
        channel.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri));
        for (Object o = channel.readOutbound(); o != null; o = channel.readOutbound()) {
            ReferenceCountUtil.release(o);
        }
    }

    /** What the decoder makes of these bytes: each message as "status" or "body:n" or "end". */
    private List<String> answer(String bytes, List<HttpResponse> heads) {
        channel.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
        List<String> seen = new ArrayList<>();
        for (Object o = channel.readInbound(); o != null; o = channel.readInbound()) {
            if (o instanceof HttpResponse head) {
                seen.add(String.valueOf(head.status().code()));
                heads.add(head);
            }
            if (o instanceof HttpContent content && content.content().isReadable()) {
                seen.add("body:" + content.content().readableBytes());
            }
            if (o instanceof LastHttpContent) {
                seen.add("end");
            }
            ReferenceCountUtil.release(o);
        }
        return seen;
    }

    @Test
    void anAnswerToHeadHasNoBodyWhatItsHeadersSayEvenAfterA100Continue() {
        List<HttpResponse> heads = new ArrayList<>();
        ask(HttpMethod.HEAD, "/ews/exchange.asmx");
        ask(HttpMethod.GET, "/owa/");

        List<String> seen = answer("HTTP/1.1 100 Continue\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc", heads);

        // The 100 does not use up the HEAD: the 200 after it has no body, and the GET's answer is read whole.
        assertThat(seen).containsExactly("100", "end", "200", "end", "200", "body:3", "end");
        channel.finishAndReleaseAll();
    }

    @Test
    void answerHeaderNamesKeepTheServersSpellingAndTheUsualOnesAreMadeOnce() {
        List<HttpResponse> heads = new ArrayList<>();
        String answer = "HTTP/1.1 200 OK\r\nContent-Type: application/mapi-http\r\nX-ResponseCode: 0\r\n"
                + "x-responsecode: 0\r\nX-Custom: 1\r\nContent-Length: 0\r\n\r\n";
        ask(HttpMethod.POST, "/mapi/emsmdb/");
        ask(HttpMethod.POST, "/mapi/emsmdb/");
        answer(answer, heads);
        answer(answer, heads);

        List<List<CharSequence>> names = new ArrayList<>();
        for (HttpResponse head : heads) {
            List<CharSequence> n = new ArrayList<>();
            head.headers().iteratorCharSequence().forEachRemaining(e -> n.add(e.getKey()));
            names.add(n);
        }
        assertThat(names.get(0)).extracting(CharSequence::toString)
                .containsExactly("Content-Type", "X-ResponseCode", "x-responsecode", "X-Custom", "Content-Length");
        assertThat(names.get(0).get(1)).isSameAs(names.get(1).get(1));
        assertThat(names.get(0).get(2)).isNotSameAs(names.get(1).get(2));
        channel.finishAndReleaseAll();
    }

    @Test
    void afterA200ToConnectTheBytesPassAsTheyCome() {
        List<HttpResponse> heads = new ArrayList<>();
        ask(HttpMethod.CONNECT, "mail.example.com:443");

        channel.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 200 Connection established\r\n\r\nnot http",
                StandardCharsets.ISO_8859_1));
        List<Object> out = new ArrayList<>();
        for (Object o = channel.readInbound(); o != null; o = channel.readInbound()) {
            out.add(o);
        }

        assertThat(out.get(0)).isInstanceOf(HttpResponse.class);
        ByteBuf raw = (ByteBuf) out.get(out.size() - 1);
        assertThat(raw.toString(StandardCharsets.ISO_8859_1)).isEqualTo("not http");
        out.forEach(ReferenceCountUtil::release);
        channel.finishAndReleaseAll();
    }
}
