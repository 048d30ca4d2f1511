package io.exgate.proxy.probe;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One request and its answer on a connection of its own, HTTP/1.1 by hand: custom methods such as
 * RPC_IN_DATA and an exact Content-Length go out as written, and repeated headers come back apart.
 * Only the first bytes of a body are read; the caller closes the connection afterwards.
 */
final class HttpRoundTrip {
    /** Enough for {@code 200 OK<br/>SERVER.FQDN} and the first line of an error page. */
    static final int BODY_BYTES = 512;
    private static final int MAX_HEAD_BYTES = 64 * 1024;

    private HttpRoundTrip() {
    }

    /** @throws SocketTimeoutException when the whole answer has not come within the timeout */
    static WireResponse send(Socket socket, Target target, WireRequest request, Duration timeout) throws IOException {
        long start = System.nanoTime();
        DeadlineStream in = new DeadlineStream(socket, start + timeout.toNanos());
        OutputStream out = socket.getOutputStream();
        out.write(request.bytes(target));
        out.flush();
        Head head;
        do {
            head = readHead(in);
        } while (head.status >= 100 && head.status < 200); // interim answers (100 Continue) are not the answer
        String body = readBody(in, head, request.method());
        return new WireResponse(head.status, head.reason, head.headers, body, Elapsed.millisSince(start));
    }

    private record Head(int status, String reason, List<Map.Entry<String, String>> headers) {
        String value(String name) {
            return headers.stream().filter(h -> h.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue)
                    .findFirst().orElse(null);
        }
    }

    private static Head readHead(InputStream in) throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream(512);
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException(raw.size() == 0 ? "connection closed without an answer"
                        : "connection closed in the middle of the answer's head");
            }
            raw.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : (b == '\r' ? 1 : 0);
            if (raw.size() > MAX_HEAD_BYTES) {
                throw new IOException("the answer's head is longer than " + MAX_HEAD_BYTES + " bytes");
            }
        }
        String[] lines = raw.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/") || !statusLine[1].matches("\\d{3}")) {
            throw new IOException("not an HTTP answer: " + Printable.of(lines[0], 60));
        }
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.add(Map.entry(lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim()));
            }
        }
        return new Head(Integer.parseInt(statusLine[1]), statusLine.length > 2 ? statusLine[2] : "", List.copyOf(headers));
    }

    private static String readBody(InputStream in, Head head, String method) throws IOException {
        if (method.equals("HEAD") || head.status == 204 || head.status == 304) {
            return "";
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream(BODY_BYTES);
        String encoding = head.value("Transfer-Encoding");
        String length = head.value("Content-Length");
        if (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
            readChunks(in, body);
        } else if (length != null) {
            long n;
            try {
                n = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                throw new IOException("bad Content-Length: " + Printable.of(length, 30));
            }
            copy(in, body, (int) Math.min(n, BODY_BYTES), true);
        } else {
            copy(in, body, BODY_BYTES, false); // delimited by the close
        }
        return body.toString(StandardCharsets.ISO_8859_1);
    }

    private static void readChunks(InputStream in, ByteArrayOutputStream body) throws IOException {
        while (body.size() < BODY_BYTES) {
            String sizeLine = line(in);
            int semicolon = sizeLine.indexOf(';');
            long size;
            try {
                size = Long.parseLong((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
            } catch (NumberFormatException e) {
                throw new IOException("bad chunk size: " + Printable.of(sizeLine, 30));
            }
            if (size == 0) {
                return;
            }
            int wanted = (int) Math.min(size, BODY_BYTES - body.size());
            copy(in, body, wanted, true);
            if (wanted < size) {
                return; // enough seen; the rest of the body is left unread
            }
            line(in);
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder s = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new EOFException("connection closed in the middle of the body");
            }
            if (b != '\r' && s.length() < 1024) {
                s.append((char) b);
            }
        }
        return s.toString();
    }

    private static void copy(InputStream in, ByteArrayOutputStream body, int count, boolean exact) throws IOException {
        byte[] buffer = new byte[count];
        int read = 0;
        while (read < count) {
            int n = in.read(buffer, read, count - read);
            if (n < 0) {
                if (exact) {
                    throw new EOFException("connection closed in the middle of the body");
                }
                break;
            }
            read += n;
        }
        body.write(buffer, 0, read);
    }

    /** Reads with whatever is left of the step's time as the socket timeout, so a trickling answer cannot outlast it. */
    private static final class DeadlineStream extends InputStream {
        private final Socket socket;
        private final InputStream in;
        private final long deadline;

        DeadlineStream(Socket socket, long deadlineNanos) throws IOException {
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream());
            this.deadline = deadlineNanos;
        }

        private void arm() throws IOException {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                throw new SocketTimeoutException("timed out");
            }
            socket.setSoTimeout((int) Math.min(left, Integer.MAX_VALUE));
        }

        @Override
        public int read() throws IOException {
            arm();
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            arm();
            return in.read(b, off, len);
        }
    }
}
