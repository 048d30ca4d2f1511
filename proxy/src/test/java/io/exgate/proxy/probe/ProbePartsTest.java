package io.exgate.proxy.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.exgate.routing.VirtualDirectory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

class ProbePartsTest {

    @Test
    void targetsAreHttpsUrlsOrBareHostNames() {
        assertThat(Target.parse("https://Outlook.Example.com/owa/")).isEqualTo(new Target("outlook.example.com", 443));
        assertThat(Target.parse("outlook.example.com:8443")).isEqualTo(new Target("outlook.example.com", 8443));
        assertThat(Target.parse("https://[::1]:8443").host()).isEqualTo("::1");
        assertThat(Target.parse("https://[::1]:8443").authority()).isEqualTo("[::1]:8443");
        assertThat(Target.parse("https://outlook.example.com").authority()).isEqualTo("outlook.example.com");
        assertThat(Target.parse("https://10.0.0.1").isAddress()).isTrue();
        assertThatThrownBy(() -> Target.parse("http://outlook.example.com")).hasMessageContaining("only https://");
        assertThatThrownBy(() -> Target.parse("https://user:pw@outlook.example.com")).hasMessageContaining("no credentials");
    }

    @Test
    void resolveOverridesTakeCurlsFormsAndOnlyAddresses() throws Exception {
        AddressOverride plain = AddressOverride.parse("Outlook.example.com:127.0.0.1");
        assertThat(plain.host()).isEqualTo("outlook.example.com");
        assertThat(plain.port()).isZero();
        assertThat(plain.address()).isEqualTo(InetAddress.getByName("127.0.0.1"));
        assertThat(plain.appliesTo(new Target("outlook.example.com", 8443))).isTrue();

        AddressOverride curl = AddressOverride.parse("outlook.example.com:443:192.0.2.7");
        assertThat(curl.port()).isEqualTo(443);
        assertThat(curl.address()).isEqualTo(InetAddress.getByName("192.0.2.7"));
        assertThat(curl.appliesTo(new Target("outlook.example.com", 8443))).isFalse();

        assertThat(AddressOverride.parse("h:[::1]").address()).isEqualTo(InetAddress.getByName("::1"));
        assertThat(AddressOverride.parse("h:443:[2001:db8::1]").address()).isEqualTo(InetAddress.getByName("2001:db8::1"));
        assertThat(AddressOverride.parse("h:2001:db8::1").port()).isZero();
        assertThatThrownBy(() -> AddressOverride.parse("h:mail.example.com")).hasMessageContaining("is not an IP address");
        assertThatThrownBy(() -> AddressOverride.parse("outlook.example.com")).hasMessageContaining("expected HOST:IP");
    }

    @Test
    void schemesComeFromEveryChallengeLineAndList() {
        assertThat(AuthSchemes.of(List.of("Negotiate", "NTLM"))).containsExactly("Negotiate", "NTLM");
        assertThat(AuthSchemes.of(List.of("Negotiate oYGzMIGwoAMKAQGh==, ntlm", "Basic realm=\"mail, example\", charset=\"UTF-8\"",
                "Bearer realm = \"x\", error=\"invalid_token\"", "NTLM"))).containsExactly("Negotiate", "NTLM", "Basic", "Bearer");
        assertThat(AuthSchemes.of(List.of())).isEmpty();
    }

    @Test
    void theServerNameIsWhatFollowsTheHealthyMark() {
        assertThat(HealthcheckRequest.serverName("200 OK<br/>EX1.contoso.com")).contains("EX1.contoso.com");
        assertThat(HealthcheckRequest.serverName("200 OK<br/>EX1.contoso.com<br/>")).contains("EX1.contoso.com");
        assertThat(HealthcheckRequest.serverName("200 OK")).isEmpty();
        assertThat(HealthcheckRequest.serverName("<html>")).isEmpty();
    }

    @Test
    void failuresReadAsSentences() {
        assertThat(FailureText.of(new SocketException("Connection reset"))).isEqualTo("connection reset");
        assertThat(FailureText.of(new SSLException("Connection reset", new SocketException("Connection reset")))).isEqualTo("connection reset");
        assertThat(FailureText.of(new SocketTimeoutException("Read timed out"))).isEqualTo("timed out");
        assertThat(FailureText.of(new SSLException("PKIX path building failed: "
                + "sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path")))
                .isEqualTo("PKIX path building failed: unable to find valid certification path");
    }

    @Test
    void daysToExpiryRoundDownAndGoNegative() {
        Instant now = Instant.parse("2025-06-01T00:00:00Z");
        CertificateSummary c = new CertificateSummary("CN=a", "CN=a", now.minusSeconds(3600), now.plus(Duration.ofDays(10)).minusSeconds(1),
                List.of("a"), "00");
        assertThat(c.daysToExpiry(now)).isEqualTo(9);
        assertThat(c.expiresSoon(now)).isTrue();
        assertThat(c.expired(now)).isFalse();
        assertThat(c.daysToExpiry(now.plus(Duration.ofDays(11)))).isEqualTo(-2);
        assertThat(c.expired(now.plus(Duration.ofDays(11)))).isTrue();
        assertThat(c.expiresSoon(now.minus(Duration.ofDays(21)))).isFalse();
    }

    @Test
    void optionValues() throws Exception {
        TimeoutConverter timeout = new TimeoutConverter();
        assertThat(timeout.convert("5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(timeout.convert("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(timeout.convert("1m")).isEqualTo(Duration.ofMinutes(1));
        assertThatThrownBy(() -> timeout.convert("0s")).isInstanceOf(TypeConversionException.class);
        assertThatThrownBy(() -> timeout.convert("5")).isInstanceOf(TypeConversionException.class);
        assertThat(Elapsed.text(Duration.ofMillis(300))).isEqualTo("300ms");
        assertThat(Elapsed.text(Duration.ofSeconds(5))).isEqualTo("5s");

        VirtualDirectoryConverter vdirs = new VirtualDirectoryConverter();
        assertThat(vdirs.convert("ActiveSync")).isEqualTo(VirtualDirectory.ACTIVESYNC);
        assertThat(vdirs.convert("Microsoft-Server-ActiveSync")).isEqualTo(VirtualDirectory.ACTIVESYNC);
        assertThat(vdirs.convert(" mapi ")).isEqualTo(VirtualDirectory.MAPI);
        // The default of --vdirs is every virtual directory exgate knows.
        Option option = ProbeCommand.class.getDeclaredField("vdirs").getAnnotation(Option.class);
        assertThat(option.defaultValue()).isEqualTo(VirtualDirectoryConverter.ALL);
    }

    @Test
    void severitiesOrderAsMonitoringPluginsDo() {
        assertThat(Severity.OK.worse(Severity.WARNING)).isEqualTo(Severity.WARNING);
        assertThat(Severity.CRITICAL.worse(Severity.WARNING)).isEqualTo(Severity.CRITICAL);
        assertThat(Arrays.stream(Severity.values()).map(s -> s.exitCode()).collect(Collectors.toList())).containsExactly(0, 1, 2);
    }

    /** A loopback server that writes {@code answer} after reading a request head, and returns what it read. */
    private static WireResponse exchange(String answer, WireRequest request, Duration timeout) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<String> received = CompletableFuture.supplyAsync(() -> {
                try (Socket s = server.accept()) {
                    String head = readHead(s.getInputStream());
                    s.getOutputStream().write(answer.getBytes(StandardCharsets.ISO_8859_1));
                    s.getOutputStream().flush();
                    // Open until the client closes: bodies must end by their framing, not by the close.
                    while (s.getInputStream().read() >= 0) {
                        continue;
                    }
                    return head;
                } catch (IOException e) {
                    return "";
                }
            });
            try (Socket client = new Socket(server.getInetAddress(), server.getLocalPort())) {
                WireResponse response = HttpRoundTrip.send(client, new Target("outlook.example.com", 8443), request, timeout);
                client.close();
                assertThat(received.get(10, TimeUnit.SECONDS)).startsWith(request.method() + " " + request.path() + " HTTP/1.1\r\n"
                        + "Host: outlook.example.com:8443\r\nUser-Agent: exgate-probe/");
                return response;
            }
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void theWireReaderFollowsHttpFraming() throws Exception {
        WireResponse chunked = exchange("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate\r\n"
                + "WWW-Authenticate: NTLM\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4;x=1\r\ndefg\r\n0\r\n\r\n",
                WireRequest.of("RPC_IN_DATA", "/rpc/rpcproxy.dll").header("Content-Length", "0"), Duration.ofSeconds(2));
        assertThat(chunked.status()).isEqualTo(401);
        assertThat(chunked.reason()).isEqualTo("Unauthorized");
        assertThat(chunked.headers("www-authenticate")).containsExactly("Negotiate", "NTLM");
        assertThat(chunked.bodyStart()).isEqualTo("abcdefg");

        String big = "x".repeat(HttpRoundTrip.BODY_BYTES * 4);
        WireResponse sized = exchange("HTTP/1.1 200 OK\r\nContent-Length: " + big.length() + "\r\n\r\n" + big,
                WireRequest.of("GET", "/owa/healthcheck.htm"), Duration.ofSeconds(2));
        assertThat(sized.bodyStart()).hasSize(HttpRoundTrip.BODY_BYTES);

        WireResponse empty = exchange("HTTP/1.1 204 No Content\r\n\r\n", WireRequest.of("GET", "/"), Duration.ofSeconds(2));
        assertThat(empty.status()).isEqualTo(204);
        assertThat(empty.bodyStart()).isEmpty();
    }

    @Test
    void aTricklingAnswerCannotOutlastTheTimeout() {
        long start = System.nanoTime();
        assertThatThrownBy(() -> exchange("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n200 OK", WireRequest.of("GET", "/"),
                Duration.ofMillis(300))).isInstanceOf(SocketTimeoutException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }
}
