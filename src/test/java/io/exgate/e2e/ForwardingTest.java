package io.exgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.exgate.proxy.demo.SimulatedMailboxServer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What reaches a backend, and what exgate answers itself. */
class ForwardingTest {
    @TempDir
    static Path dir;
    static Lab lab;
    static SimulatedMailboxServer ex1;
    static SimulatedMailboxServer ex2;

    @BeforeAll
    static void start() throws Exception {
        lab = new Lab(dir);
        ex1 = new SimulatedMailboxServer(lab.vertx, "ex1", SimulatedMailboxServer.Settings.exchangeLike());
        ex2 = new SimulatedMailboxServer(lab.vertx, "ex2", SimulatedMailboxServer.Settings.exchangeLike());
        lab.startExgate(List.of(lab.simulator(ex1), lab.simulator(ex2)));
    }

    @AfterAll
    static void stop() throws Exception {
        lab.close();
    }

    private static Lab.Fetched get(String uri) throws Exception {
        return lab.fetch(HttpMethod.GET, uri);
    }

    private static String body(Lab.Fetched r) {
        return r.text();
    }

    @Test
    void forwardsEveryExchangeVirtualDirectoryMatchedCaseInsensitively() throws Exception {
        for (String path : List.of("/owa/", "/OWA/auth/logon.aspx", "/ews/Exchange.asmx", "/EWS/exchange.asmx",
                "/Autodiscover/Autodiscover.xml", "/autodiscover/autodiscover.json?Email=a@b.c", "/Microsoft-Server-ActiveSync",
                "/microsoft-server-activesync/default.eas", "/oab/x/oab.xml", "/ecp/", "/PowerShell/", "/mapi/", "/rpc/")) {
            Lab.Fetched r = get(path);
            assertThat(r.status()).as(path).isEqualTo(200);
            assertThat(r.header("X-BEServer")).as(path).isIn("EX1", "EX2");
            assertThat(new JsonObject(body(r)).getString("uri")).as(path).isEqualTo(path);
        }
    }

    @Test
    void answers404ItselfOutsideTheVirtualDirectoriesWithoutAskingABackend() throws Exception {
        long before = ex1.requestCount() + ex2.requestCount();
        for (String path : List.of("/", "/favicon.ico", "/aspnet_client/", "/owax/", "/owa/../secret", "/mapi/%2e%2e/admin")) {
            Lab.Fetched r = get(path);
            assertThat(r.status()).as(path).isEqualTo(404);
            String text = body(r);
            assertThat(text).as(path).startsWith("404 Not Found").contains("Request id: " + r.header("X-Request-Id"));
            assertThat(r.header("X-BEServer")).isNull();
        }
        assertThat(ex1.requestCount() + ex2.requestCount()).isEqualTo(before);
    }

    @Test
    void spreadsRequestsOverTheBackends() throws Exception {
        List<String> servers = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            servers.add(get("/owa/").header("X-BEServer"));
        }
        assertThat(servers).contains("EX1", "EX2");
    }

    @Test
    void normalisesThePathBeforeClassifyingAndForwarding() throws Exception {
        Lab.Fetched r = get("/OWA/./x/..//y?z=1");
        assertThat(r.status()).isEqualTo(200);
        assertThat(new JsonObject(body(r)).getString("uri")).isEqualTo("/OWA/y?z=1");
    }

    @Test
    void setsForwardedHeadersKeepsTheHostAndAddsNoVia() throws Exception {
        Lab.Fetched r = lab.fetch(new RequestOptions().setMethod(HttpMethod.GET).setURI("/ews/echo")
                        .putHeader("Host", "outlook.example.com")
                        .putHeader("X-Forwarded-For", "203.0.113.66")
                        .putHeader("X-Forwarded-Host", "evil.example.net"), null);
        JsonObject headers = new JsonObject(body(r)).getJsonObject("headers");
        assertThat(headers.getString("Host")).isEqualTo("outlook.example.com");
        assertThat(headers.getString("X-Forwarded-For")).isEqualTo("127.0.0.1");
        assertThat(headers.getString("X-Forwarded-Proto")).isEqualTo("https");
        assertThat(headers.getString("X-Forwarded-Host")).isEqualTo("outlook.example.com");
        assertThat(headers.fieldNames()).noneMatch(n -> n.equalsIgnoreCase("Via"));
        String id = headers.getString("X-Request-Id");
        assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
        assertThat(r.header("X-Request-Id")).isEqualTo(id);
    }

    @Test
    void keepsARequestIdThatCameIn() throws Exception {
        Lab.Fetched r = lab.fetch(new RequestOptions().setMethod(HttpMethod.GET).setURI("/ews/echo")
                .putHeader("X-Request-Id", "upstream-lb-42"), null);
        assertThat(new JsonObject(body(r)).getJsonObject("headers").getString("X-Request-Id")).isEqualTo("upstream-lb-42");
        assertThat(r.header("X-Request-Id")).isEqualTo("upstream-lb-42");
    }

    @Test
    void absoluteFormTargetsAreRoutedByTheirPathNeverByTheirHost() throws Exception {
        try (RawHttps raw = new RawHttps(lab.port())) {
            raw.send("GET https://evil.example.net:444/ews/echo?x=1 HTTP/1.1\r\nHost: outlook.example.com\r\n\r\n");
            RawHttps.Response r = raw.readResponse();
            assertThat(r.status()).isEqualTo(200);
            JsonObject echo = new JsonObject(r.body());
            assertThat(echo.getString("uri")).isEqualTo("/ews/echo?x=1");
            assertThat(echo.getJsonObject("headers").getString("Host")).isEqualTo("outlook.example.com");
            // The connection stays usable for the next request.
            raw.send("GET /owa/healthcheck.htm HTTP/1.1\r\nHost: outlook.example.com\r\n\r\n");
            assertThat(raw.readResponse().body()).startsWith("200 OK<br/>");
        }
    }

    @Test
    void refusesAmbiguousPathsWith400() throws Exception {
        long before = ex1.requestCount() + ex2.requestCount();
        for (String target : List.of("/owa/%2F..%2Fecp/", "/owa/..%5Cecp", "/../owa/")) {
            try (RawHttps raw = new RawHttps(lab.port())) {
                raw.send("GET " + target + " HTTP/1.1\r\nHost: outlook.example.com\r\n\r\n");
                RawHttps.Response r = raw.readResponse();
                assertThat(r.status()).as(target).isEqualTo(400);
                assertThat(r.body()).as(target).startsWith("400 Bad Request");
            }
        }
        assertThat(ex1.requestCount() + ex2.requestCount()).isEqualTo(before);
    }

    @Test
    void relaysExpect100ContinueByteForByteBeforeTheBodyIsSent() throws Exception {
        try (RawHttps raw = new RawHttps(lab.port())) {
            raw.send("POST /ews/echo HTTP/1.1\r\nHost: outlook.example.com\r\nContent-Length: 10\r\n"
                    + "Expect: 100-continue\r\n\r\n");
            assertThat(raw.readExactly(25)).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
            raw.send("0123456789");
            RawHttps.Response r = raw.readResponse();
            assertThat(r.status()).isEqualTo(200);
            assertThat(new JsonObject(r.body()).getInteger("bodyBytes")).isEqualTo(10);
        }
    }

    @Test
    void aBodyWithoutExpectIsForwardedAsWell() throws Exception {
        try (RawHttps raw = new RawHttps(lab.port())) {
            raw.send("POST /ews/echo HTTP/1.1\r\nHost: outlook.example.com\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
            RawHttps.Response r = raw.readResponse();
            assertThat(r.status()).isEqualTo(200);
            assertThat(new JsonObject(r.body()).getInteger("bodyBytes")).isEqualTo(11);
        }
    }

    @Test
    void headAnswersCarryNoBodyAndKeepTheConnectionUsable() throws Exception {
        try (RawHttps raw = new RawHttps(lab.port())) {
            raw.send("HEAD /ews/echo HTTP/1.1\r\nHost: outlook.example.com\r\n\r\n");
            String head = readHead(raw);
            assertThat(head).startsWith("HTTP/1.1 200").contains("X-BEServer: EX");
            // The next answer on the same connection starts right away: no body bytes were sent for HEAD.
            raw.send("GET /owa/healthcheck.htm HTTP/1.1\r\nHost: outlook.example.com\r\n\r\n");
            RawHttps.Response r = raw.readResponse();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).startsWith("200 OK<br/>");
        }
    }

    private static String readHead(RawHttps raw) throws Exception {
        StringBuilder sb = new StringBuilder();
        while (!sb.toString().endsWith("\r\n\r\n")) {
            int c = raw.in.read();
            if (c < 0) {
                break;
            }
            sb.append((char) c);
        }
        return sb.toString();
    }

    @Test
    void pipelinedRequestsAreRelayedOneAfterAnotherAndAnsweredInOrder() throws Exception {
        // Three requests in one write: a POST with a body, a GET, and one exgate answers itself.
        String post = "POST /ews/first HTTP/1.1\r\nHost: outlook.example.com\r\nContent-Length: 5\r\n\r\nhello";
        String get = "GET /owa/second HTTP/1.1\r\nHost: outlook.example.com\r\n\r\n";
        String notExchange = "GET /elsewhere HTTP/1.1\r\nHost: outlook.example.com\r\n\r\n";
        String last = "GET /ews/third HTTP/1.1\r\nHost: outlook.example.com\r\nConnection: close\r\n\r\n";
        try (RawHttps s = new RawHttps(lab.port())) {
            s.send(post + get + notExchange + last);
            RawHttps.Response first = s.readResponse();
            RawHttps.Response second = s.readResponse();
            RawHttps.Response third = s.readResponse();
            RawHttps.Response fourth = s.readResponse();
            assertThat(first.status()).isEqualTo(200);
            assertThat(new JsonObject(first.body()).getString("uri")).isEqualTo("/ews/first");
            assertThat(new JsonObject(first.body()).getInteger("bodyBytes")).isEqualTo(5);
            assertThat(new JsonObject(second.body()).getString("uri")).isEqualTo("/owa/second");
            assertThat(third.status()).isEqualTo(404);
            assertThat(new JsonObject(fourth.body()).getString("uri")).isEqualTo("/ews/third");
            assertThat(fourth.headers().get("connection")).isEqualToIgnoringCase("close");
            assertThat(s.closedByServer()).isTrue();
        }
    }
}
