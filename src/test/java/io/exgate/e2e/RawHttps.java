package io.exgate.e2e;

import io.exgate.tls.LookOnlyTrust;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A byte-exact HTTP/1.1 client over TLS: the tests that care about exact bytes on the wire (100
 * Continue, absolute-form targets, hop-by-hop headers) write and read through it.
 */
final class RawHttps implements AutoCloseable {
    final SSLSocket socket;
    final InputStream in;
    final OutputStream out;

    record Response(int status, String statusLine, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    RawHttps(int port) throws Exception {
        SSLContext context = LookOnlyTrust.context();
        socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
        socket.setSoTimeout(15_000);
        socket.startHandshake();
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    void send(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** Reads exactly n bytes (or fewer if the connection closes). */
    String readExactly(int n) throws IOException {
        byte[] b = in.readNBytes(n);
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    Response readResponse() throws IOException {
        String statusLine = readLine();
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = readLine(); !line.isEmpty(); line = readLine()) {
            int colon = line.indexOf(':');
            headers.merge(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim(),
                    (a, b) -> a + ", " + b);
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        String body;
        if (headers.containsKey("content-length")) {
            body = readExactly(Integer.parseInt(headers.get("content-length")));
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            StringBuilder sb = new StringBuilder();
            for (int size = Integer.parseInt(readLine().trim(), 16); size > 0; size = Integer.parseInt(readLine().trim(), 16)) {
                sb.append(readExactly(size));
                readLine();
            }
            readLine();
            body = sb.toString();
        } else {
            body = "";
        }
        return new Response(status, statusLine, headers, body);
    }

    /** True when the server has closed the connection (read returns end of stream). */
    boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /** Everything the server sends until it closes, or what came before a 10 s silence, then {@code <still open>}. */
    String readToEnd() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        socket.setSoTimeout(10_000);
        try {
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                out.write(buf, 0, n);
            }
        } catch (java.net.SocketTimeoutException e) {
            return out.toString(StandardCharsets.ISO_8859_1) + "<still open>";
        } catch (IOException e) {
            // A reset is a close as well.
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    private String readLine() throws IOException {
        return readLine(in);
    }

    /** One CRLF- (or LF-) terminated line, without its terminator. */
    static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int c = in.read(); c >= 0; c = in.read()) {
            if (c == '\n') {
                String s = line.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            line.write(c);
        }
        throw new IOException("connection closed in the middle of a line: " + line.toString(StandardCharsets.ISO_8859_1));
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
