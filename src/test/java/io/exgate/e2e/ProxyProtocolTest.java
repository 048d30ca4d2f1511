package io.exgate.e2e;

import io.exgate.tls.LookOnlyTrust;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Behind a layer-4 balancer: the client's address comes in a PROXY protocol header, v1 or v2. */
class ProxyProtocolTest {
    @TempDir
    Path dir;

    /** TLS over a socket that has already carried the PROXY header; returns the echoed request headers. */
    private static JsonObject echoThrough(Socket tcp) throws Exception {
        SSLContext context = LookOnlyTrust.context();
        try (SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(tcp, "localhost", tcp.getPort(), true)) {
            tls.startHandshake();
            tls.getOutputStream().write("GET /ews/echo HTTP/1.1\r\nHost: outlook.example.com\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String response = new String(tls.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new JsonObject(response.substring(response.indexOf("\r\n\r\n") + 4)).getJsonObject("headers");
        }
    }

    private static byte[] v2Header(byte[] source, byte[] destination, int sourcePort, int destinationPort) {
        ByteBuffer b = ByteBuffer.allocate(16 + 12);
        b.put(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
        b.put((byte) 0x21).put((byte) 0x11).putShort((short) 12);
        b.put(source).put(destination).putShort((short) sourcePort).putShort((short) destinationPort);
        return b.array();
    }

    @Test
    void theClientAddressFromAProxyHeaderReachesTheBackendAndTheLog() throws Exception {
        try (Lab lab = new Lab(dir)) {
            String backend = lab.backend(r -> {
                JsonObject headers = new JsonObject();
                r.headers().forEach(e -> headers.put(e.getKey(), e.getValue()));
                r.response().end(new JsonObject().put("headers", headers).encode());
            });
            lab.startExgate(List.of(backend), "proxy-protocol: true\n");
            try (Socket v1 = new Socket("127.0.0.1", lab.port())) {
                v1.getOutputStream().write(("PROXY TCP4 203.0.113.7 127.0.0.1 51000 " + lab.port() + "\r\n").getBytes(StandardCharsets.US_ASCII));
                assertThat(echoThrough(v1).getString("X-Forwarded-For")).isEqualTo("203.0.113.7");
            }
            try (Socket v2 = new Socket("127.0.0.1", lab.port())) {
                v2.getOutputStream().write(v2Header(new byte[] {(byte) 198, 51, 100, 23}, new byte[] {127, 0, 0, 1}, 40000, lab.port()));
                assertThat(echoThrough(v2).getString("X-Forwarded-For")).isEqualTo("198.51.100.23");
            }
            // Without the header the connection is refused: nobody can bypass the balancer and forge nothing either.
            try (Socket bare = new Socket("127.0.0.1", lab.port())) {
                bare.setSoTimeout(15_000);
                OutputStream out = bare.getOutputStream();
                out.write(new byte[] {0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00});
                InputStream in = bare.getInputStream();
                assertThat(in.read()).as("closed without an answer").isEqualTo(-1);
            }
            lab.close();
            String log = String.join("\n", Files.readAllLines(Files.list(dir.resolve("logs/HttpProxy/Ews")).findFirst().orElseThrow()));
            assertThat(log).contains(",203.0.113.7,", ",198.51.100.23,");
        }
    }
}
