package io.exgate.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpServerOptions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The head checks Netty leaves out, whichever way the head is cut into reads. */
class GuardedRequestDecoderTest {
    private static final String HEAD = "\r\nPOST /mapi/emsmdb/?MailboxId=a@b HTTP/1.1\r\nHost: outlook.example.com\r\n"
            + "Content-Type: application/mapi-http\r\nX-RequestType: Execute\r\nContent-Length: 5\r\n\r\nhello";

    /** Feeds the bytes in pieces of {@code piece} bytes; returns what came out of the decoder. */
    private static List<Object> decode(String text, int piece, int maxHeaderCount) {
        return decode(text, piece, maxHeaderCount, new HttpServerOptions());
    }

    private static List<Object> decode(String text, int piece, int maxHeaderCount, HttpServerOptions options) {
        EmbeddedChannel channel = new EmbeddedChannel(
                new GuardedRequestDecoder(options, maxHeaderCount, 60_000, new ClientConnections(10)));
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < bytes.length; i += piece) {
            channel.writeInbound(Unpooled.wrappedBuffer(bytes, i, Math.min(piece, bytes.length - i)));
        }
        List<Object> out = new ArrayList<>();
        for (Object o = channel.readInbound(); o != null; o = channel.readInbound()) {
            out.add(o);
        }
        channel.finishAndReleaseAll();
        return out;
    }

    private static HttpRequest head(List<Object> out) {
        assertThat(out).isNotEmpty();
        assertThat(out.get(0)).isInstanceOf(HttpRequest.class);
        return (HttpRequest) out.get(0);
    }

    private static int bodyBytes(List<Object> out) {
        int n = 0;
        for (Object o : out) {
            if (o instanceof io.netty.handler.codec.http.HttpContent c) {
                n += c.content().readableBytes();
            }
            ReferenceCountUtil.release(o);
        }
        return n;
    }

    @Test
    void aHeadDecodesAlikeInOneReadAndCutAtEveryByte() {
        for (int piece : new int[]{1, 2, 3, 7, 64, HEAD.length()}) {
            List<Object> out = decode(HEAD, piece, 100);
            HttpRequest request = head(out);
            assertThat(request.decoderResult().isSuccess()).as("pieces of %d bytes", piece).isTrue();
            assertThat(request.headers().get("X-RequestType")).isEqualTo("Execute");
            assertThat(out.get(out.size() - 1)).isInstanceOf(LastHttpContent.class);
            assertThat(bodyBytes(out)).as("pieces of %d bytes", piece).isEqualTo(5);
        }
    }

    @Test
    void headerNamesKeepTheClientsSpellingAndTheKnownOnesAreMadeOnce() {
        String head = "GET /ews/exchange.asmx HTTP/1.1\r\nHost: outlook.example.com\r\nUser-Agent: Outlook\r\n"
                + "user-agent: lower\r\nX-AnchorMailbox: a@b\r\nX-ANCHORMAILBOX: c@d\r\nX-Custom-Thing: 1\r\n\r\n";
        List<String> spelt = new ArrayList<>();
        List<Object> first = decode(head, head.length(), 100);
        head(first).headers().forEach(e -> spelt.add(e.getKey()));
        // Decoded twice: a known name is the same object each time, carrying its hash; the others are new.
        List<Object> second = decode(head, 7, 100);
        List<CharSequence> names1 = new ArrayList<>();
        List<CharSequence> names2 = new ArrayList<>();
        head(first).headers().iteratorCharSequence().forEachRemaining(e -> names1.add(e.getKey()));
        head(second).headers().iteratorCharSequence().forEachRemaining(e -> names2.add(e.getKey()));
        bodyBytes(first);
        bodyBytes(second);

        assertThat(spelt).containsExactly("Host", "User-Agent", "user-agent", "X-AnchorMailbox", "X-ANCHORMAILBOX", "X-Custom-Thing");
        assertThat(names1.get(1)).isSameAs(names2.get(1)); // User-Agent
        assertThat(names1.get(3)).isSameAs(names2.get(3)); // X-AnchorMailbox
        assertThat(names1.get(2)).isNotSameAs(names2.get(2)); // another spelling: the client's own bytes
        assertThat(names1.get(5)).isNotSameAs(names2.get(5));
    }

    @Test
    void obsoleteLineFoldingIsRefusedWhereverTheReadsAreCut() {
        String folded = "GET /owa/ HTTP/1.1\r\nHost: outlook.example.com\r\nX-A: a\r\n b\r\n\r\n";
        for (int piece : new int[]{1, 5, folded.length()}) {
            HttpRequest request = head(decode(folded, piece, 100));
            assertThat(request.decoderResult().cause()).as("pieces of %d bytes", piece)
                    .isInstanceOf(RefusedRequestException.class).hasMessageContaining("line folding");
        }
    }

    @Test
    void moreHeaderFieldsThanTheLimitAreRefusedAndTheLimitItselfIsNot() {
        StringBuilder text = new StringBuilder("GET /owa/ HTTP/1.1\r\n");
        for (int i = 0; i < 10; i++) {
            text.append("X-").append(i).append(": v\r\n");
        }
        text.append("\r\n");
        assertThat(head(decode(text.toString(), 3, 10)).decoderResult().isSuccess()).isTrue();
        assertThat(head(decode(text.toString(), 3, 9)).decoderResult().cause())
                .isInstanceOf(RefusedRequestException.class).hasMessageContaining("more than 9 header fields");
    }

    @Test
    void pipelinedHeadsAreEachScannedFromTheirOwnStart() {
        // The second head folds a line: the scan must start afresh after the first head, wherever the reads are cut.
        String first = "GET /owa/ HTTP/1.1\r\nHost: outlook.example.com\r\n\r\n";
        String second = "GET /ews/ HTTP/1.1\r\nHost: outlook.example.com\r\nX-A: a\r\n b\r\n\r\n";
        for (int piece : new int[]{1, 4, first.length() + second.length()}) {
            List<Object> out = decode(first + first + second, piece, 100);
            List<HttpRequest> heads = out.stream().filter(o -> o instanceof HttpRequest).map(o -> (HttpRequest) o).toList();
            assertThat(heads).as("pieces of %d bytes", piece).hasSize(3);
            assertThat(heads.get(0).decoderResult().isSuccess()).isTrue();
            assertThat(heads.get(1).decoderResult().isSuccess()).isTrue();
            assertThat(heads.get(2).decoderResult().cause()).isInstanceOf(RefusedRequestException.class);
            out.forEach(ReferenceCountUtil::release);
        }
    }

    @Test
    void aLineFeedWithoutCarriageReturnIsRefused() {
        HttpRequest request = head(decode("GET /owa/ HTTP/1.1\nHost: outlook.example.com\n\n", 3, 100));
        assertThat(request.decoderResult().isFailure()).isTrue();
    }

    @Test
    void longHeaderLinesDecodeWholeAgainAfterTheDecodersLineBufferIsCutBack() {
        // The line buffer is cut back after each head and each trailer: the next long line must still come out whole.
        String token = "Negotiate " + "t".repeat(30_000);
        String trailer = "x".repeat(12_000);
        String text = "POST /rpc/rpcproxy.dll?ex1:6001 HTTP/1.1\r\nHost: outlook.example.com\r\nAuthorization: " + token
                + "\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-Trailer: " + trailer + "\r\n\r\n"
                + "GET /owa/ HTTP/1.1\r\nHost: outlook.example.com\r\nCookie: " + "c".repeat(20_000) + "\r\n\r\n"
                + "GET /ews/ HTTP/1.1\r\nHost: outlook.example.com\r\nAuthorization: " + token + "\r\n\r\n";
        for (int piece : new int[]{7, 1000, text.length()}) {
            List<Object> out = decode(text, piece, 100, new HttpServerOptions().setMaxHeaderSize(64 * 1024));
            List<HttpRequest> heads = out.stream().filter(o -> o instanceof HttpRequest).map(o -> (HttpRequest) o).toList();
            assertThat(heads).as("pieces of %d bytes", piece).hasSize(3);
            assertThat(heads).allSatisfy(h -> assertThat(h.decoderResult().isSuccess()).isTrue());
            assertThat(heads.get(0).headers().get("Authorization")).isEqualTo(token);
            assertThat(heads.get(1).headers().get("Cookie")).isEqualTo("c".repeat(20_000));
            assertThat(heads.get(2).headers().get("Authorization")).as("pieces of %d bytes", piece).isEqualTo(token);
            LastHttpContent last = out.stream().filter(o -> o instanceof LastHttpContent l && !l.trailingHeaders().isEmpty())
                    .map(o -> (LastHttpContent) o).findFirst().orElseThrow();
            assertThat(last.trailingHeaders().get("X-Trailer")).isEqualTo(trailer);
            assertThat(bodyBytes(out)).as("pieces of %d bytes", piece).isEqualTo(5);
        }
    }
}
