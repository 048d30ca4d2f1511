package io.exgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backend that answers before it has read the body (IIS's 401 to an anonymous POST, a 413): the
 * client gets that answer, its body still passes, and the connection goes on serving its next request.
 */
class EarlyAnswerTest {
    @TempDir
    static Path dir;
    static Lab lab;
    static final List<String> seen = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        lab = new Lab(dir);
        String backend = lab.backend(request -> {
            seen.add(request.method() + " " + request.path());
            if (request.method().name().equals("POST")) {
                // Answered at once, keep-alive, the body unread yet: Vert.x reads and drops it afterwards.
                request.response().setStatusCode(401).putHeader("WWW-Authenticate", "Basic realm=\"x\"").end("no");
            } else {
                request.response().end("second");
            }
        });
        lab.startExgate(List.of(backend));
    }

    @AfterAll
    static void stop() throws Exception {
        lab.close();
    }

    @Test
    void anAnswerBeforeTheBodyLeavesTheConnectionUsableForTheNextRequest() throws Exception {
        int length = 8 * 1024 * 1024; // far beyond what one read and the write buffers hold
        try (RawHttps s = new RawHttps(lab.port())) {
            s.send("POST /ews/exchange.asmx HTTP/1.1\r\nHost: outlook.example.com\r\nContent-Length: " + length + "\r\n\r\n");
            RawHttps.Response first = s.readResponse();
            assertThat(first.status()).isEqualTo(401);
            String chunk = "x".repeat(64 * 1024);
            for (int sent = 0; sent < length; sent += chunk.length()) {
                s.send(chunk);
            }
            s.send("GET /ews/next HTTP/1.1\r\nHost: outlook.example.com\r\n\r\n");
            RawHttps.Response second = s.readResponse();
            assertThat(second.status()).isEqualTo(200);
            assertThat(second.body()).isEqualTo("second");
        }
        assertThat(seen).containsSubsequence("POST /ews/exchange.asmx", "GET /ews/next");
    }
}
