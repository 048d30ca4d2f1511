package io.exgate.e2e;

import io.exgate.tls.LookOnlyTrust;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A blocking HTTP/1.1 client over TLS that keeps one connection alive across requests, and says
 * exactly when a request was fully handed to the network: for tests that must tell requests sent
 * before an event from requests sent after it.
 */
final class KeepAliveClient implements AutoCloseable {
    private static final SSLSocketFactory TLS = LookOnlyTrust.context().getSocketFactory();

    /** A complete answer. */
    record Answer(int status, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final int port;
    private final int timeoutMillis;
    private SSLSocket socket;
    private InputStream in;
    private OutputStream out;
    private boolean closeAfter;
    /** System.nanoTime() after the last request's bytes were flushed to the socket; 0 if they never were. */
    long sentNanos;
    /** Answers completed on the current connection. */
    int answersOnConnection;
    /** When the last answer on the current connection was complete, and whether it said "Connection: close". */
    long lastAnswerNanos;
    boolean lastAnswerSaidClose;

    KeepAliveClient(int port, int timeoutMillis) {
        this.port = port;
        this.timeoutMillis = timeoutMillis;
    }

    boolean connected() {
        return socket != null;
    }

    /** TCP connect (refused at once when nothing listens) and TLS handshake, each bounded by the timeout. */
    void connect() throws IOException {
        close();
        Socket tcp = new Socket();
        try {
            tcp.setTcpNoDelay(true);
            tcp.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
            SSLSocket s = (SSLSocket) TLS.createSocket(tcp, "localhost", port, true);
            s.setSoTimeout(timeoutMillis);
            s.startHandshake();
            socket = s;
            in = s.getInputStream();
            out = s.getOutputStream();
            closeAfter = false;
            answersOnConnection = 0;
            lastAnswerNanos = System.nanoTime();
            lastAnswerSaidClose = false;
        } catch (IOException | RuntimeException e) {
            tcp.close();
            throw e;
        }
    }

    /** Sends one request on the open connection and reads its whole answer. */
    Answer exchange(byte[] request) throws IOException {
        return exchange(request, chunk -> { });
    }

    /**
     * Sends one request on the open connection and reads its whole answer; {@code chunks} sees each
     * piece of the body as it arrives. Any failure closes the connection.
     */
    Answer exchange(byte[] request, Consumer<byte[]> chunks) throws IOException {
        if (socket == null) {
            throw new IOException("not connected");
        }
        sentNanos = 0;
        try {
            out.write(request);
            out.flush();
            sentNanos = System.nanoTime();
            Answer answer = read(chunks);
            answersOnConnection++;
            lastAnswerNanos = System.nanoTime();
            lastAnswerSaidClose = "close".equalsIgnoreCase(answer.header("connection"));
            if (closeAfter) {
                close();
            }
            return answer;
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private Answer read(Consumer<byte[]> chunks) throws IOException {
        while (true) {
            String statusLine = line();
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].matches("HTTP/1\\.[01]")) {
                throw new IOException("not a status line: " + statusLine);
            }
            int status = Integer.parseInt(parts[1]);
            Map<String, String> headers = new LinkedHashMap<>();
            for (String line = line(); !line.isEmpty(); line = line()) {
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    throw new IOException("not a header line: " + line);
                }
                headers.merge(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim(),
                        (a, b) -> a + ", " + b);
            }
            if (status < 200) {
                continue;
            }
            closeAfter = "close".equalsIgnoreCase(headers.get("connection")) || parts[0].equals("HTTP/1.0");
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                for (int size = Integer.parseInt(line().split(";")[0].trim(), 16); size > 0;
                        size = Integer.parseInt(line().split(";")[0].trim(), 16)) {
                    byte[] chunk = exactly(size);
                    body.write(chunk);
                    chunks.accept(chunk);
                    if (!line().isEmpty()) {
                        throw new IOException("chunk not followed by CRLF");
                    }
                }
                while (!line().isEmpty()) {
                    // Trailers.
                }
            } else if (headers.containsKey("content-length")) {
                byte[] b = exactly(Integer.parseInt(headers.get("content-length")));
                body.write(b);
                chunks.accept(b);
            } else if (status != 204 && status != 304) {
                byte[] b = in.readAllBytes();
                body.write(b);
                chunks.accept(b);
                closeAfter = true;
            }
            return new Answer(status, headers, body.toByteArray());
        }
    }

    private byte[] exactly(int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw new IOException("connection closed after " + b.length + " of " + n + " body bytes");
        }
        return b;
    }

    private String line() throws IOException {
        return RawHttps.readLine(in);
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // Closing anyway.
            }
            socket = null;
        }
    }
}
