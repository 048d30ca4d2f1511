package io.exgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.exgate.proxy.demo.SimulatedMailboxServer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Request-smuggling vectors on raw TLS sockets: each answered 400 and closed, and no backend sees anything. */
class HostileInputTest {
    @TempDir
    static Path dir;
    static Lab lab;
    static SimulatedMailboxServer ex1;

    @BeforeAll
    static void start() throws Exception {
        lab = new Lab(dir);
        ex1 = new SimulatedMailboxServer(lab.vertx, "ex1", SimulatedMailboxServer.Settings.exchangeLike());
        lab.startExgate(List.of(lab.simulator(ex1)));
    }

    @AfterAll
    static void stop() throws Exception {
        lab.close();
    }

    private static String exchange(String raw) throws Exception {
        try (RawHttps s = new RawHttps(lab.port())) {
            s.send(raw);
            return s.readToEnd();
        }
    }

    @Test
    void smugglingVectorsAreRefusedAndNeverReachABackend() throws Exception {
        Map<String, String> vectors = new LinkedHashMap<>();
        vectors.put("two different Content-Length", "POST /ews/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!");
        vectors.put("duplicate Content-Length", "POST /ews/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello");
        vectors.put("Transfer-Encoding gzip", "POST /ews/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\nxxxxx");
        vectors.put("Transfer-Encoding gzip, chunked", "POST /ews/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n");
        vectors.put("Transfer-Encoding xchunked", "POST /ews/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n");
        vectors.put("two Transfer-Encoding", "POST /ews/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
        vectors.put("bare CR", "GET /ews/echo HTTP/1.1\r\nHost: x\rX-B: b\r\n\r\n");
        vectors.put("NUL in a value", "GET /ews/echo HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n");
        vectors.put("space in a name", "GET /ews/echo HTTP/1.1\r\nHost: x\r\nX A: a\r\n\r\n");
        vectors.put("space before the colon", "GET /ews/echo HTTP/1.1\r\nHost: x\r\nContent-Length : 5\r\n\r\nhello");
        vectors.put("negative Content-Length", "POST /ews/echo HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n");
        vectors.put("Transfer-Encoding and Content-Length", "POST /ews/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /ews/smuggled HTTP/1.1\r\nHost: x\r\n\r\n");
        vectors.put("Content-Length and Transfer-Encoding, HTTP/1.0", "POST /ews/echo HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n");
        // The refusal closes the connection: what the decoder reads behind it is never relayed, though it
        // looks like a request (the decoder, which knows no gzip framing, takes the head for a body-less one).
        vectors.put("Transfer-Encoding gzip, then a request", "POST /ews/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n"
                + "GET /ews/smuggled HTTP/1.1\r\nHost: x\r\n\r\n");
        vectors.put("obsolete line folding", "GET /ews/echo HTTP/1.1\r\nHost: x\r\nX-A: a\r\n  folded\r\n\r\n");
        vectors.put("obsolete line folding with a tab", "GET /ews/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\r\n\tchunked\r\n\r\n0\r\n\r\n");
        vectors.put("signed Content-Length", "POST /ews/echo HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nhello");
        long before = ex1.requestCount();
        for (Map.Entry<String, String> v : vectors.entrySet()) {
            String answer = exchange(v.getValue());
            assertThat(answer).as(v.getKey()).matches("(?s)HTTP/1\\.[01] 400 .*").contains("Request id: ").doesNotEndWith("<still open>")
                    .doesNotContain("smuggled");
        }
        // A malformed chunk size inside a body: the connection is cut (the head was already relayed).
        String badChunk = exchange("POST /ews/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n");
        assertThat(badChunk).doesNotEndWith("<still open>").doesNotContain("200 OK");
        assertThat(ex1.requestCount()).as("requests the backend answered").isEqualTo(before);
    }

    @Test
    void oversizedHeadsGet431Or414() throws Exception {
        String longUri = exchange("GET /owa/" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(longUri).matches("(?s)HTTP/1\\.[01] 414 .*").contains("limits.max-request-line").contains("Request id: ");
        String bigHeaders = exchange("GET /owa/ HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(70 * 1024) + "\r\n\r\n");
        assertThat(bigHeaders).matches("(?s)HTTP/1\\.1 431 .*").contains("limits.max-header-size").contains("Request id: ");
        // A Kerberos-sized header (48 KiB) is fine: Exchange's own limit is 64 KiB.
        String kerberos = exchange("GET /owa/healthcheck.htm HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Negotiate "
                + "Y".repeat(48 * 1024) + "\r\n\r\n");
        assertThat(kerberos).startsWith("HTTP/1.1 200");
    }
}
