package io.exgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.exgate.tls.LookOnlyTrust;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The public listener fed with hostile bytes over real TLS sockets: random bytes, and valid Exchange
 * requests (MAPI Execute, RPC_IN_DATA, OWA, chunked EWS) with random mutations. Whatever arrives,
 * exgate must answer with well-formed HTTP or close the connection, within bounded time; nothing may
 * escape into its log as an error; and a request it refused with a 4xx must never have reached a
 * backend.
 *
 * <p>exgate runs as users run it (its own JVM, {@code java -jar exgate.jar run}), so that its whole log
 * can be read; Netty's leak detector is on (paranoid) in that JVM, and the log is checked for leaks at
 * the end. The backend lives in this JVM and counts the connections and requests it gets.
 */
class FrontEndFuzzTest {
    /** An answer that has not started this long after the request was sent is a hang. */
    private static final int HANG_MILLIS = 5_000;
    /**
     * After a complete answer on a connection left open, how long to watch for more: longer than
     * {@code timeouts.request-header} (a partial head behind the answered one gets its 408 by then)
     * and {@code timeouts.idle} (a forwarded request whose body never comes gets its 504).
     */
    private static final int QUIET_MILLIS = 600;
    /** No single try may take longer than this, whatever happens. */
    private static final long TRY_LIMIT_MILLIS = 15_000;
    private static final String MARKER = "X-Fuzz-Backend";

    private static Path dir;
    private static Lab lab;
    private static ExgateProcess exgate;
    private static int port;
    private static final Backend backend = new Backend();
    private static final SSLSocketFactory TLS = LookOnlyTrust.context().getSocketFactory();
    private static final AtomicLong quietWaits = new AtomicLong();
    private static final AtomicLong tries = new AtomicLong();
    private static final Map<String, AtomicLong> statuses = new ConcurrentHashMap<>();
    /** The request ids of every answer exgate refused with a 4xx: none may ever reach the backend. */
    private static final Set<String> refusedIds = ConcurrentHashMap.newKeySet();
    /** The request ids of every answer of the tries so far. */
    private static final Set<String> earlierIds = ConcurrentHashMap.newKeySet();
    /** When a try last ended in a way that may have left exgate connecting to the backend (a 5xx, a cut). */
    private static long mayHaveConnectedAt = System.nanoTime() - TimeUnit.HOURS.toNanos(1);
    /** Set when start() completed: a failed start is reported by itself, not drowned by the checks at the end. */
    private static boolean started;

    @BeforeContainer
    static void start() throws Exception {
        dir = Files.createTempDirectory("exgate-fuzz");
        lab = new Lab(dir);
        String url = backend.start(lab.vertx);
        Path config = lab.writeConfig("127.0.0.1:0", List.of(url), ""
                + "timeouts:\n  request-header: 100ms\n  idle: 400ms\n"
                // Probes would be backend connections nobody asked for: one probe per week at most.
                + "health:\n  interval: 7d\n"
                + "logs:\n  directory: logs\n");
        exgate = ExgateProcess.start(List.of("-Dio.netty.leakDetection.level=paranoid", "-Xmx256m"), "run", "--config",
                config.toString());
        port = exgate.awaitListeningPort();
        // Every seed, unmutated, is a request the backend answers (else the mutations would test little);
        // and a few rounds of them warm exgate's JIT, so that timeouts.idle is not a cold start's doing.
        for (int round = 0; round < 5; round++) {
            for (Seed seed : Seed.values()) {
                Outcome outcome = exchange(seed.bytes);
                assertThat(outcome.responses).as(seed + ": " + outcome).hasSize(1);
                if (round > 0) {
                    assertThat(outcome.responses.get(0).fromBackend()).as(seed + " answered by the backend: " + outcome).isTrue();
                    assertThat(outcome.responses.get(0).status).as(seed + ": " + outcome).isEqualTo(200);
                }
            }
        }
        started = true;
    }

    @AfterContainer
    static void stop() throws Exception {
        try {
            if (exgate != null && started) {
                // Buffers leaked while fuzzing are reported by Netty when the collector finds them and a
                // later allocation looks: collect, then make a few allocations.
                Process gc = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                        String.valueOf(exgate.process.pid()), "GC.run").redirectErrorStream(true).start();
                gc.getInputStream().readAllBytes();
                gc.waitFor(30, TimeUnit.SECONDS);
                for (int i = 0; i < 5; i++) {
                    exchange(("GET /owa/healthcheck.htm HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
                }
                Thread.sleep(500);
                System.out.printf("FrontEndFuzzTest: %d tries, %d waited %d ms for a quiet connection; statuses %s%n",
                        tries.get(), quietWaits.get(), QUIET_MILLIS, new java.util.TreeMap<>(statuses));
                assertThat(refusedIds.stream().filter(backend.requestIds()::contains).toList())
                        .as("requests exgate refused with a 4xx, seen by the backend later on").isEmpty();
                List<String> bad = forbiddenLines(exgate.output);
                assertThat(bad).as("exgate's log after the whole run:\n" + exgate.text()).isEmpty();
                exgate.terminate();
                assertThat(exgate.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(exgate.process.exitValue()).isZero();
            }
        } finally {
            if (exgate != null) {
                exgate.close();
            }
            if (lab != null) {
                lab.close();
            }
            deleteTree(dir);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The properties.

    @Property(tries = 200, shrinking = ShrinkingMode.BOUNDED)
    void randomBytesGetAWellFormedAnswerOrACloseAndNeverReachABackend(@ForAll("garbage") Garbage garbage) throws Exception {
        check(garbage.bytes(), garbage.toString());
    }

    @Property(tries = 200, shrinking = ShrinkingMode.BOUNDED)
    void mutatedExchangeRequestsGetAWellFormedAnswerOrACloseAndRefusalsNeverReachABackend(@ForAll("mutated") Mutated request)
            throws Exception {
        check(request.bytes(), request.toString());
    }

    // Inputs the properties found, kept as fixed examples so that each is tried on every run.

    /** A line of control or white-space bytes and an empty line, before any head: the request-header timer must still run. */
    @Example
    void aLeadingLineOfControlBytesDoesNotDisarmTheRequestHeaderTimeout() throws Exception {
        check("\u0000\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), "NUL CRLF CRLF");
        check(" \r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), "SP CRLF CRLF");
    }

    /** A request line naming another protocol than HTTP/1.x is answered in HTTP/1.1, not in the client's "protocol". */
    @Example
    void aForeignProtocolVersionIsAnsweredInHttp11() throws Exception {
        check("GET /owa/ XTTP/1.1\r\nHost: outlook.example.com\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), "XTTP/1.1");
        check("GET /owa/ HTTP/1.2\r\nHost: outlook.example.com\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), "HTTP/1.2");
        check("POST /ews/exchange.asmx XTTP/1.1\r\nHost: outlook.example.com\r\nBad Header: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1),
                "XTTP/1.1 and a malformed field");
    }

    /** A CR inside a header field: refused, and what follows the CR does not become a log line of its own. */
    @Example
    void aBareCrInAFieldCannotForgeALogLine() throws Exception {
        check(("GET /owa/ HTTP/1.1\r\nHost: outlook.example.com\r\nUser-Agent: a\rFORGED: a line of the attacker's choosing\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1), "CR in User-Agent");
    }

    /**
     * A chunked body broken in its first chunk (CRLF inserted into the data), sent at once: the exchange
     * ends while the backend connection is still being made, and the request it then gets is cut without
     * an ERROR line. Found by the mutation property.
     */
    @Example
    void aChunkedBodyBrokenBeforeTheBackendIsReadyIsCutWithoutAnErrorLine() throws Exception {
        for (int i = 0; i < 20; i++) {
            check(("POST /EWS/Exchange.asmx HTTP/1.1\r\nHost: outlook.example.com\r\nContent-Type: text/xml; charset=utf-8\r\n"
                    + "X-AnchorMailbox: alice@contoso.com\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                    + "1d\r\n<soap:Env\r\nelope><soap:Body>Get\r\n14\r\nItem/></soap:Body></\r\ne\r\nsoap:Envelope>\r\n0\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1), "CRLF inserted into the first chunk, try " + i);
        }
    }

    /** A body that never arrives in full: exgate answers 504 after timeouts.idle, and logs no error for it. */
    @Example
    void aRequestBodyThatStopsShortGetsA504AndNoErrorInTheLog() throws Exception {
        check("POST /ews/exchange.asmx HTTP/1.1\r\nHost: outlook.example.com\r\nContent-Length: 10\r\n\r\nhello"
                .getBytes(StandardCharsets.ISO_8859_1), "Content-Length 10, 5 bytes sent");
    }

    /** The three checks every try must pass: the answer, the backend's view, exgate's log. */
    private static void check(byte[] bytes, String what) throws Exception {
        tries.incrementAndGet();
        // What an earlier try set going (a request exgate relayed just before it cut the connection)
        // arrives now rather than during this try.
        backend.awaitQuiet(Duration.ofMillis(50), Duration.ofSeconds(2));
        int logFrom = exgate.output.size();
        Backend.Counts before = backend.counts();
        Outcome outcome = exchange(bytes);
        outcome.responses.forEach(r -> statuses.computeIfAbsent((r.fromBackend() ? "backend " : "exgate ") + r.status,
                k -> new AtomicLong()).incrementAndGet());
        String report = what + "\n  answered: " + outcome;

        // 1. Bounded time (exchange() fails on a hang; this bounds the whole try).
        assertThat(outcome.millis).as("the whole exchange took too long; " + report).isLessThan(TRY_LIMIT_MILLIS);

        // 2. What reached the backend. exgate sends its request id to the backend and in every answer
        // it gives, so a refusal can be matched with what the backend saw, exactly.
        backend.settle(outcome);
        List<Backend.Event> window = backend.eventsSince(before);
        String seen = "\n  the backend saw meanwhile: " + window;
        List<String> refused = outcome.responses.stream().filter(r -> !r.fromBackend() && r.status >= 400 && r.status < 500)
                .map(r -> r.header("x-request-id")).toList();
        assertThat(refused).as("exgate's own 4xx answers carry a request id; " + report).doesNotContainNull();
        refusedIds.addAll(refused);
        assertThat(refused.stream().filter(backend.requestIds()::contains).toList())
                .as("requests exgate refused with a 4xx reached the backend; " + report + seen).isEmpty();
        // A request exgate gave up on in an earlier try (504 while it was connecting) may arrive now: it
        // carries that try's request id. Everything else that arrived belongs to this try.
        long requests = window.stream().filter(e -> e.kind() == Backend.Kind.REQUEST && !earlierIds.contains(e.requestId())).count();
        long connections = window.stream().filter(e -> e.kind() == Backend.Kind.OPENED)
                .filter(e -> backend.firstUse(e.connection())
                        .map(use -> use.kind() == Backend.Kind.REQUEST && !earlierIds.contains(use.requestId()))
                        // Opened and never used: exgate gave up before sending. An earlier try's doing if one could
                        // have left exgate connecting within timeouts.connect (5 s).
                        .orElse(System.nanoTime() - mayHaveConnectedAt > TimeUnit.SECONDS.toNanos(6)))
                .count();
        // In HTTP/1.1 answers come in request order: every request the backend saw is accounted for by an
        // answer from it, a 5xx exgate gave after trying it, or the connection cut while one was relayed.
        long fromBackend = outcome.responses.stream().filter(Response::fromBackend).count();
        long exgate5xx = outcome.responses.stream().filter(r -> !r.fromBackend() && r.status >= 500).count();
        long allowed = fromBackend + exgate5xx + (outcome.end == End.CLOSED ? 1 : 0);
        assertThat(requests).as("requests the backend saw; " + report + seen).isLessThanOrEqualTo(allowed);
        if (!refused.isEmpty() && fromBackend == 0 && exgate5xx == 0) {
            // Only refusals: no backend request, and no backend connection either.
            assertThat(requests).as("a request exgate refused reached the backend; " + report + seen).isZero();
            assertThat(connections).as("a request exgate refused opened a backend connection; " + report + seen).isZero();
        }
        outcome.responses.stream().map(r -> r.header("x-request-id")).filter(id -> id != null).forEach(earlierIds::add);
        if (mayHaveLeftSomethingBehind(outcome)) {
            mayHaveConnectedAt = System.nanoTime();
        }

        // 3. exgate's log: nothing that looks like an error escaped. Lines of this try may still be on
        // their way; waiting for the request ids exgate wrote about in its own answers catches most, and
        // after a 5xx or a cut, for the log to be quiet a moment.
        List<String> ids = outcome.responses.stream().filter(r -> !r.fromBackend() && r.status != 200)
                .map(r -> r.header("x-request-id")).filter(id -> id != null).toList();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (System.nanoTime() < deadline && !ids.stream().allMatch(id -> exgate.output.stream().anyMatch(l -> l.contains(id)))) {
            Thread.sleep(5);
        }
        if (mayHaveLeftSomethingBehind(outcome)) {
            awaitQuietLog(Duration.ofMillis(100), Duration.ofSeconds(1));
        }
        List<String> lines = exgate.output.subList(logFrom, exgate.output.size());
        assertThat(forbiddenLines(lines)).as("exgate logged an error, or a line that is not one of its records; " + report).isEmpty();
        assertThat(exgate.process.isAlive()).as("exgate is running; " + report).isTrue();
    }

    /**
     * A 5xx from exgate, or a cut without an answer: a request may still be on its way to the backend, and
     * exgate may still log about it. (An answer from the backend leaves nothing behind.)
     */
    private static boolean mayHaveLeftSomethingBehind(Outcome outcome) {
        return outcome.end == End.CLOSED && outcome.responses.isEmpty()
                || outcome.responses.stream().anyMatch(r -> !r.fromBackend() && r.status >= 500);
    }

    private static void awaitQuietLog(Duration quiet, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        int size = exgate.output.size();
        long since = System.nanoTime();
        while (System.nanoTime() < deadline && System.nanoTime() - since < quiet.toNanos()) {
            Thread.sleep(10);
            if (exgate.output.size() != size) {
                size = exgate.output.size();
                since = System.nanoTime();
            }
        }
    }

    /** A log record as exgate writes them: one line, a UTC timestamp, a level. */
    private static final Pattern RECORD = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z (TRACE|DEBUG|INFO|WARN|ERROR) ");
    private static final Pattern BAD = Pattern.compile("^\\S+ ERROR |Exception|Throwable|LEAK:|OutOfMemory|StackOverflow");

    /**
     * Log lines that are errors (ERROR level, exceptions, Netty's leak reports), and lines that are not
     * records at all: stack frames, or text a client smuggled in behind a CR (the output is read as
     * Java reads lines: CR, LF and CRLF all end one).
     */
    private static List<String> forbiddenLines(List<String> lines) {
        return new ArrayList<>(lines).stream().filter(l -> BAD.matcher(l).find() || !RECORD.matcher(l).lookingAt()).toList();
    }

    // ---------------------------------------------------------------------------------------------
    // Talking to the listener and judging the answer.

    enum End {
        /** exgate closed the connection (FIN, close_notify or reset) at an answer boundary. */
        CLOSED,
        /** After at least one complete answer, the connection stayed open and silent: a keep-alive connection waiting. */
        OPEN_AND_QUIET
    }

    record Response(String statusLine, int status, Map<String, String> headers, int bodyLength, boolean fromBackend) {
        String header(String name) {
            return headers.get(name);
        }

        @Override
        public String toString() {
            return statusLine + " (" + bodyLength + " body bytes" + (fromBackend ? ", from the backend" : "") + ")";
        }
    }

    record Outcome(List<Response> responses, End end, String closeKind, long millis) {
        @Override
        public String toString() {
            return responses + " then " + end + (closeKind == null ? "" : " (" + closeKind + ")") + " after " + millis + " ms";
        }
    }

    /** Sends the bytes on a new TLS connection and reads until the connection closes or rests after an answer. */
    static Outcome exchange(byte[] bytes) throws Exception {
        long start = System.nanoTime();
        Socket tcp = new Socket();
        // As browsers and Outlook do; with Nagle on, the request would wait for the ACK of the TLS Finished.
        tcp.setTcpNoDelay(true);
        tcp.connect(new InetSocketAddress("127.0.0.1", port), HANG_MILLIS);
        try (SSLSocket socket = (SSLSocket) TLS.createSocket(tcp, "localhost", port, true)) {
            socket.setSoTimeout(HANG_MILLIS);
            socket.startHandshake();
            OutputStream out = socket.getOutputStream();
            try {
                out.write(bytes);
                out.flush();
            } catch (IOException e) {
                // exgate may close while the rest is still being written (it answered the head already).
            }
            Reader in = new Reader(socket, start);
            boolean head = new String(bytes, StandardCharsets.ISO_8859_1).matches("(?s)[\\r\\n]*HEAD .*");
            List<Response> responses = new ArrayList<>();
            while (true) {
                int first = in.firstByte(responses.isEmpty() ? HANG_MILLIS : QUIET_MILLIS);
                if (first == Reader.QUIET) {
                    if (responses.isEmpty()) {
                        throw new AssertionError("no answer and no close " + HANG_MILLIS + " ms after sending " + escape(bytes));
                    }
                    quietWaits.incrementAndGet();
                    return new Outcome(responses, End.OPEN_AND_QUIET, null, elapsed(start));
                }
                if (first < 0) {
                    return new Outcome(responses, End.CLOSED, in.closeKind, elapsed(start));
                }
                Response r = readResponse(in, (char) first, head, bytes);
                if (r.status >= 200) {
                    responses.add(r);
                }
                if (r.bodyLength < 0) {
                    // Delimited by the close.
                    return new Outcome(responses, End.CLOSED, in.closeKind, elapsed(start));
                }
            }
        }
    }

    private static long elapsed(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.[01] ([1-5]\\d\\d)(?: [\\x20-\\x7e\\t]*)?");
    private static final Pattern FIELD = Pattern.compile("([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \\t]*([\\x20-\\x7e\\t]*?)[ \\t]*");

    /** Reads one answer strictly: RFC 9112 status line, CRLF-ended fields, a body its framing delimits. */
    private static Response readResponse(Reader in, char first, boolean head, byte[] sent) throws IOException {
        String context = " in answer to " + escape(sent);
        String statusLine = first + in.line(context);
        var m = STATUS_LINE.matcher(statusLine);
        if (!m.matches()) {
            throw new AssertionError("malformed status line " + escape(statusLine.getBytes(StandardCharsets.ISO_8859_1)) + context);
        }
        int status = Integer.parseInt(m.group(1));
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = in.line(context); !line.isEmpty(); line = in.line(context)) {
            var f = FIELD.matcher(line);
            if (!f.matches()) {
                throw new AssertionError("malformed header line " + escape(line.getBytes(StandardCharsets.ISO_8859_1)) + context);
            }
            String name = f.group(1).toLowerCase(Locale.ROOT);
            if (name.equals("content-length") && headers.containsKey(name)) {
                throw new AssertionError("two Content-Length fields" + context);
            }
            headers.merge(name, f.group(2), (a, b) -> a + ", " + b);
        }
        boolean fromBackend = headers.containsKey(MARKER.toLowerCase(Locale.ROOT));
        String te = headers.get("transfer-encoding");
        String cl = headers.get("content-length");
        if (te != null && cl != null) {
            throw new AssertionError("both Transfer-Encoding and Content-Length in an answer" + context);
        }
        if (status < 200 || status == 204 || status == 304) {
            return new Response(statusLine, status, headers, 0, fromBackend);
        }
        if (cl != null && !cl.matches("\\d{1,9}")) {
            throw new AssertionError("malformed Content-Length '" + cl + "'" + context);
        }
        if (head && te == null) {
            // An answer to HEAD has no body; but bytes that only start like a HEAD request may not be one
            // to the server (then the answer has its body). Whatever comes next tells which it was.
            int n = cl == null ? 0 : Integer.parseInt(cl);
            int next = n == 0 ? Reader.QUIET : in.peek(QUIET_MILLIS);
            if (next < 0 || next == 'H') {
                return new Response(statusLine, status, headers, 0, fromBackend);
            }
            in.exactly(n, context);
            return new Response(statusLine, status, headers, n, fromBackend);
        }
        if (te != null) {
            if (!te.equalsIgnoreCase("chunked")) {
                throw new AssertionError("answer with Transfer-Encoding " + te + context);
            }
            int total = 0;
            while (true) {
                String size = in.line(context);
                if (!size.matches("[0-9a-fA-F]{1,8}(;.*)?")) {
                    throw new AssertionError("malformed chunk size '" + size + "'" + context);
                }
                int n = Integer.parseInt(size.split(";")[0], 16);
                if (n == 0) {
                    while (!in.line(context).isEmpty()) {
                        // Trailer fields.
                    }
                    return new Response(statusLine, status, headers, total, fromBackend);
                }
                in.exactly(n, context);
                if (!in.line(context).isEmpty()) {
                    throw new AssertionError("chunk data not followed by CRLF" + context);
                }
                total += n;
            }
        }
        if (cl != null) {
            int n = Integer.parseInt(cl);
            in.exactly(n, context);
            return new Response(statusLine, status, headers, n, fromBackend);
        }
        // Neither: the body runs to the close (allowed for HTTP/1.0 answers).
        in.toEnd(context);
        return new Response(statusLine, status, headers, -1, fromBackend);
    }

    /** Reads an answer with deadlines: a hang anywhere inside an answer fails the try. */
    private static final class Reader {
        static final int QUIET = -2;
        private static final int NONE = -3;
        private int pushed = NONE;
        private final SSLSocket socket;
        private final InputStream in;
        private final long start;
        String closeKind;

        Reader(SSLSocket socket, long start) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.start = start;
        }

        /** Looks at the next byte without taking it: -1 at a close, QUIET if nothing came within the time. */
        int peek(int millis) throws IOException {
            int b = firstByte(millis);
            if (b != QUIET) {
                pushed = b;
            }
            return b;
        }

        /** The first byte of the next answer, -1 at a close, QUIET if nothing came within the time. */
        int firstByte(int millis) throws IOException {
            if (pushed != NONE) {
                int b = pushed;
                pushed = NONE;
                return b;
            }
            socket.setSoTimeout(millis);
            try {
                int b = in.read();
                if (b < 0) {
                    closeKind = "FIN";
                }
                return b;
            } catch (SocketTimeoutException e) {
                return QUIET;
            } catch (IOException e) {
                // A reset (or a TLS close without close_notify) at an answer boundary is a close.
                closeKind = e.getClass().getSimpleName() + ": " + e.getMessage();
                return -1;
            } finally {
                socket.setSoTimeout(HANG_MILLIS);
            }
        }

        private int next(String context) throws IOException {
            if (pushed != NONE) {
                int b = pushed;
                pushed = NONE;
                if (b < 0) {
                    throw new AssertionError("connection closed in the middle of an answer" + context);
                }
                return b;
            }
            try {
                int b = in.read();
                if (b < 0) {
                    throw new AssertionError("connection closed in the middle of an answer" + context);
                }
                return b;
            } catch (SocketTimeoutException e) {
                throw new AssertionError("an answer stopped for " + HANG_MILLIS + " ms in the middle" + context);
            } catch (IOException e) {
                throw new AssertionError("an answer was cut (" + e + ") after " + elapsed(start) + " ms" + context);
            }
        }

        String line(String context) throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            while (true) {
                int b = next(context);
                if (b == '\n') {
                    byte[] l = line.toByteArray();
                    if (l.length == 0 || l[l.length - 1] != '\r') {
                        throw new AssertionError("a line of the answer ends in a bare LF: " + escape(l) + context);
                    }
                    return new String(l, 0, l.length - 1, StandardCharsets.ISO_8859_1);
                }
                if (line.size() > 64 * 1024) {
                    throw new AssertionError("a line of more than 64 KiB in the answer" + context);
                }
                line.write(b);
            }
        }

        void exactly(int n, String context) throws IOException {
            for (int i = 0; i < n; i++) {
                next(context);
            }
        }

        void toEnd(String context) throws IOException {
            if (pushed != NONE) {
                boolean closed = pushed < 0;
                pushed = NONE;
                if (closed) {
                    return;
                }
            }
            try {
                while (in.read() >= 0) {
                    // Discarded.
                }
                closeKind = "FIN";
            } catch (SocketTimeoutException e) {
                throw new AssertionError("a close-delimited answer stopped for " + HANG_MILLIS + " ms" + context);
            } catch (IOException e) {
                closeKind = e.getClass().getSimpleName() + ": " + e.getMessage();
            }
        }
    }

    static String escape(byte[] bytes) {
        StringBuilder sb = new StringBuilder("\"");
        for (byte x : bytes) {
            int b = x & 0xff;
            switch (b) {
                case '\r' -> sb.append("\\r");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (b >= 0x20 && b < 0x7f) {
                        sb.append((char) b);
                    } else {
                        sb.append(String.format("\\x%02x", b));
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    // ---------------------------------------------------------------------------------------------
    // The backend: answers everything, marks its answers, counts connections and requests.

    static final class Backend {
        record Counts(long connections, long requests, int events) {
        }

        /** A connection opened, or a request arrived (with the request id exgate gave it). */
        record Event(long nanos, int connection, Kind kind, String requestId, String what) {
            @Override
            public String toString() {
                return "conn#" + connection + " " + what;
            }
        }

        enum Kind { OPENED, PROBE, REQUEST }

        private final AtomicLong connections = new AtomicLong();
        private final AtomicLong probeConnections = new AtomicLong();
        private final AtomicLong requests = new AtomicLong();
        private final Map<HttpConnection, Integer> ids = new ConcurrentHashMap<>();
        private final Set<String> requestIds = ConcurrentHashMap.newKeySet();
        private final List<Event> events = Collections.synchronizedList(new ArrayList<>());
        private volatile long lastEvent = System.nanoTime();

        String start(Vertx vertx) throws Exception {
            HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)
                            .setHandle100ContinueAutomatically(true).setMaxHeaderSize(128 * 1024).setMaxInitialLineLength(64 * 1024))
                    .connectionHandler(c -> {
                        connections.incrementAndGet();
                        event(c, Kind.OPENED, null, "opened");
                    })
                    .invalidRequestHandler(request -> {
                        // What exgate relayed and Vert.x cannot parse still counts as a request that reached us.
                        arrived(request, false);
                        request.response().setStatusCode(400).putHeader(MARKER, "invalid").putHeader("Connection", "close")
                                .end("backend 400");
                    })
                    .requestHandler(this::handle);
            return "http://127.0.0.1:" + server.listen().await(10, TimeUnit.SECONDS).actualPort();
        }

        private void handle(HttpServerRequest request) {
            boolean probe = request.method() == io.vertx.core.http.HttpMethod.GET
                    && request.path().toLowerCase(Locale.ROOT).endsWith("/healthcheck.htm")
                    && request.getHeader("X-Forwarded-For") == null;
            arrived(request, probe);
            if (probe) {
                request.response().putHeader("Content-Type", "text/html").end("200 OK<br/>fuzz-backend");
                return;
            }
            request.body().onComplete(ar -> {
                if (request.response().closed()) {
                    return;
                }
                request.response().putHeader(MARKER, "1").putHeader("Content-Type", "text/plain")
                        .end("backend saw " + request.method().name() + " " + (ar.succeeded() ? ar.result().length() + " bytes" : "a broken body"));
            });
        }

        private void arrived(HttpServerRequest request, boolean probe) {
            boolean first = !ids.containsKey(request.connection());
            if (probe) {
                if (first) {
                    probeConnections.incrementAndGet();
                }
                event(request.connection(), Kind.PROBE, null, "health probe");
                return;
            }
            requests.incrementAndGet();
            String id = request.getHeader("X-Request-Id");
            if (id != null) {
                requestIds.add(id);
            }
            event(request.connection(), Kind.REQUEST, id, (request.decoderResult().isSuccess() ? "" : "invalid ") + request.method() + " " + request.uri()
                    + " X-Request-Id=" + id);
        }

        private void event(HttpConnection c, Kind kind, String requestId, String what) {
            int n = ids.computeIfAbsent(c, k -> ids.size() + 1);
            lastEvent = System.nanoTime();
            events.add(new Event(lastEvent, n, kind, requestId, what));
        }

        /** The first request (or probe) a connection carried, if any yet. */
        java.util.Optional<Event> firstUse(int connection) {
            synchronized (events) {
                return events.stream().filter(e -> e.connection() == connection && e.kind() != Kind.OPENED).findFirst();
            }
        }

        /** Connections that carried something other than health probes, requests, and the events so far. */
        Counts counts() {
            return new Counts(connections.get() - probeConnections.get(), requests.get(), events.size());
        }

        Set<String> requestIds() {
            return requestIds;
        }

        List<Event> eventsSince(Counts before) {
            synchronized (events) {
                return new ArrayList<>(events.subList(before.events(), events.size()));
            }
        }

        /** Waits until nothing has happened here for {@code quiet}, at most {@code limit}. */
        void awaitQuiet(Duration quiet, Duration limit) throws InterruptedException {
            long deadline = System.nanoTime() + limit.toNanos();
            while (System.nanoTime() - lastEvent < quiet.toNanos() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        }

        /** After a try that may have relayed something, a moment for what is still on its way to arrive. */
        void settle(Outcome outcome) throws InterruptedException {
            if (mayHaveLeftSomethingBehind(outcome)) {
                Thread.sleep(50);
                awaitQuiet(Duration.ofMillis(50), Duration.ofSeconds(2));
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Inputs: random bytes.

    /** Random bytes, sometimes followed by an empty line (so that a parser has a whole "head" to judge). */
    record Garbage(byte[] body, boolean endsHead) {
        byte[] bytes() {
            if (!endsHead) {
                return body;
            }
            byte[] b = java.util.Arrays.copyOf(body, body.length + 4);
            System.arraycopy("\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), 0, b, body.length, 4);
            return b;
        }

        @Override
        public String toString() {
            return "random bytes " + escape(bytes());
        }
    }

    /** Pieces of HTTP and Exchange requests, so that random concatenations get past the first checks. */
    private static final List<String> TOKENS = List.of("GET", "POST", "HEAD", "RPC_IN_DATA", "RPC_OUT_DATA", "PUT", " ", "  ", "/",
            "/mapi/emsmdb/", "/mapi/nspi/", "/owa/", "/ews/exchange.asmx", "/rpc/rpcproxy.dll", "/autodiscover/autodiscover.xml",
            "/Microsoft-Server-ActiveSync", "?", "&", "=", "MailboxId", "%", "%00", "%2f", "%2e%2e", "..", "//", "\\", ":6001", "@",
            "HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/1.1 ", "\r\n", "\r\n", "\r\n", "\n", "\r", "\u0000", "\t", ":", ": ",
            "Host", "Content-Length", "Transfer-Encoding", "chunked", "0", "5", "-1", "ffffffff", "99999999999999999999",
            "Connection", "close", "keep-alive", "Expect", "100-continue", "X-RequestType", "Execute", "NotificationWait",
            "X-AnchorMailbox", "Authorization", "NTLM TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAKAGFKAAAADw==", "Cookie", "a=b",
            "\u00ff", "\u00e9", ",", ";", "\"", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

    @Provide
    Arbitrary<Garbage> garbage() {
        Arbitrary<byte[]> uniform = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(1500);
        Arbitrary<byte[]> tokens = Arbitraries.oneOf(Arbitraries.of(TOKENS), Arbitraries.strings().all().ofLength(1))
                .list().ofMinSize(1).ofMaxSize(60)
                .map(list -> String.join("", list).getBytes(StandardCharsets.ISO_8859_1))
                .filter(b -> b.length > 0);
        Arbitrary<byte[]> bodies = Arbitraries.frequencyOf(Tuple.of(1, uniform), Tuple.of(2, tokens));
        Arbitrary<Boolean> endsHead = Arbitraries.frequency(Tuple.of(4, true), Tuple.of(1, false));
        return Combinators.combine(bodies, endsHead).as(Garbage::new);
    }

    // ---------------------------------------------------------------------------------------------
    // Inputs: valid Exchange requests, mutated.

    private static final String UA = "User-Agent: Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17928; Pro)\r\n";

    /** Valid requests as Outlook, browsers and MSRPC send them; the framing is computed, so it is right. */
    enum Seed {
        MAPI_EXECUTE("POST /mapi/emsmdb/?MailboxId=5e8d6a2c-0b9a-4e27-9c9e-2f1d9a6b7c31@contoso.com HTTP/1.1\r\n"
                + "Host: outlook.example.com\r\n"
                + "Content-Type: application/mapi-http\r\n"
                + "X-RequestType: Execute\r\n"
                + "X-ClientInfo: {2F2A4A5E-1D3C-4E5F-8A9B-0C1D2E3F4A5B}:4\r\n"
                + "X-RequestId: {9E1C4A2B-7D3E-4F5A-B6C7-D8E9F0A1B2C3}:17\r\n"
                + "X-ClientApplication: Outlook/16.0.17928.20114\r\n"
                + "Cookie: MapiContext=7a1f; MapiSequence=7a1f-3\r\n"
                + UA, Framing.LENGTH, "\u0000\u0000\u0000\u0000\u0002\u0000\u0000\u0000rop-buffer-0123"),
        RPC_IN_DATA("RPC_IN_DATA /rpc/rpcproxy.dll?mbx01.contoso.com:6001 HTTP/1.1\r\n"
                + "Host: outlook.example.com\r\n"
                + "Accept: application/rpc\r\n"
                + "Cache-Control: no-cache\r\n"
                + "Pragma: SessionId=33c2b8b4-56a2-4c1f-9f0c-7d2b0e2f1a11\r\n"
                + "User-Agent: MSRPC\r\n", Framing.LENGTH,
                "\u0005\u0000\u0014\u0003\u0010\u0000\u0000\u0000\u0010\u0000\u0000\u0000\u0000\u0000\u0000\u0000"),
        OWA_GET("GET /owa/?ae=Folder&t=IPF.Note HTTP/1.1\r\n"
                + "Host: outlook.example.com\r\n"
                + "Accept: text/html,application/xhtml+xml,*/*;q=0.8\r\n"
                + "Accept-Language: en-US,en;q=0.5\r\n"
                + "Cookie: X-BackEndCookie=S-1-5-21=u56Lnp2ejJqBzJ7Jm8nMzZ7Sm5vLx9LLnsnK; ClientId=A1B2C3D4E5F6\r\n"
                + "User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n",
                Framing.NONE, ""),
        EWS_CHUNKED("POST /EWS/Exchange.asmx HTTP/1.1\r\n"
                + "Host: outlook.example.com\r\n"
                + "Content-Type: text/xml; charset=utf-8\r\n"
                + "X-AnchorMailbox: alice@contoso.com\r\n"
                + "Authorization: Basic YWxpY2U6UGFzc3dvcmQx\r\n"
                + UA, Framing.CHUNKED, "<soap:Envelope><soap:Body>Get|Item/></soap:Body></|soap:Envelope>");

        enum Framing { NONE, LENGTH, CHUNKED }

        final byte[] bytes;

        /** The head without its framing field; the body (for chunked, its chunks separated by '|'). */
        Seed(String head, Framing framing, String body) {
            String text = switch (framing) {
                case NONE -> head + "Connection: close\r\n\r\n";
                case LENGTH -> head + "Content-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body;
                case CHUNKED -> head + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                        + java.util.Arrays.stream(body.split("\\|")).map(c -> Integer.toHexString(c.length()) + "\r\n" + c + "\r\n")
                                .collect(Collectors.joining()) + "0\r\n\r\n";
            };
            this.bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        }
    }

    /** One change to a request's bytes. Positions are fractions of the current length, so they stay valid. */
    sealed interface Mutation {
        byte[] apply(byte[] in);
    }

    record FlipBit(double at, int bit) implements Mutation {
        public byte[] apply(byte[] in) {
            if (in.length == 0) {
                return in;
            }
            byte[] out = in.clone();
            int i = index(at, in.length);
            out[i] = (byte) (out[i] ^ (1 << bit));
            return out;
        }
    }

    record InsertBytes(double at, String text) implements Mutation {
        public byte[] apply(byte[] in) {
            return splice(in, index(at, in.length + 1), 0, text.getBytes(StandardCharsets.ISO_8859_1));
        }

        @Override
        public String toString() {
            return "InsertBytes[at=" + at + ", bytes=" + escape(text.getBytes(StandardCharsets.ISO_8859_1)) + "]";
        }
    }

    record DeleteBytes(double at, int count) implements Mutation {
        public byte[] apply(byte[] in) {
            if (in.length == 0) {
                return in;
            }
            int i = index(at, in.length);
            return splice(in, i, Math.min(count, in.length - i), new byte[0]);
        }
    }

    record Truncate(double keep) implements Mutation {
        public byte[] apply(byte[] in) {
            return java.util.Arrays.copyOf(in, Math.max(1, (int) (in.length * keep)));
        }
    }

    /** Works on the header section: the lines before the first empty line (or all of it when there is none). */
    record Head(List<String> lines, String ending, byte[] rest) {
        static Head of(byte[] in) {
            String s = new String(in, StandardCharsets.ISO_8859_1);
            int end = s.indexOf("\r\n\r\n");
            String head = end < 0 ? s : s.substring(0, end);
            String rest = end < 0 ? "" : s.substring(end + 4);
            return new Head(new ArrayList<>(List.of(head.split("\r\n", -1))), end < 0 ? "" : "\r\n\r\n",
                    rest.getBytes(StandardCharsets.ISO_8859_1));
        }

        byte[] bytes() {
            byte[] head = (String.join("\r\n", lines) + ending).getBytes(StandardCharsets.ISO_8859_1);
            return splice(head, head.length, 0, rest);
        }

        /** A header line's index (never the request line, unless it is the only one). */
        int field(int n) {
            return lines.size() < 2 ? 0 : 1 + Math.floorMod(n, lines.size() - 1);
        }
    }

    record DuplicateLine(int line) implements Mutation {
        public byte[] apply(byte[] in) {
            Head h = Head.of(in);
            int i = h.field(line);
            h.lines.add(i, h.lines.get(i));
            return h.bytes();
        }
    }

    record DropLine(int line) implements Mutation {
        public byte[] apply(byte[] in) {
            Head h = Head.of(in);
            if (h.lines.size() < 2) {
                return in;
            }
            h.lines.remove(h.field(line));
            return h.bytes();
        }
    }

    /** Ends one line of the head (the request line included) with something other than CRLF. */
    record ChangeLineEnding(int line, String ending) implements Mutation {
        public byte[] apply(byte[] in) {
            Head h = Head.of(in);
            int i = Math.floorMod(line, h.lines.size());
            StringBuilder sb = new StringBuilder();
            for (int k = 0; k < h.lines.size(); k++) {
                sb.append(h.lines.get(k));
                if (k < h.lines.size() - 1) {
                    sb.append(k == i ? ending : "\r\n");
                }
            }
            // The last line's own CRLF is the first half of the empty line that ends the head.
            String end = i == h.lines.size() - 1 && !h.ending.isEmpty() ? ending + "\r\n" : h.ending;
            byte[] head = (sb + end).getBytes(StandardCharsets.ISO_8859_1);
            return splice(head, head.length, 0, h.rest);
        }

        @Override
        public String toString() {
            return "ChangeLineEnding[line=" + line + ", ending=" + escape(ending.getBytes(StandardCharsets.ISO_8859_1)) + "]";
        }
    }

    /** NUL, space, tab, or an obsolete line fold, inside a header line. */
    record InsertInField(int line, double at, String what) implements Mutation {
        public byte[] apply(byte[] in) {
            Head h = Head.of(in);
            int i = h.field(line);
            String l = h.lines.get(i);
            int pos = index(at, l.length() + 1);
            h.lines.set(i, l.substring(0, pos) + what + l.substring(pos));
            return h.bytes();
        }

        @Override
        public String toString() {
            return "InsertInField[line=" + line + ", at=" + at + ", what=" + escape(what.getBytes(StandardCharsets.ISO_8859_1)) + "]";
        }
    }

    /** Replaces every Content-Length with this value, or adds one. */
    record SetContentLength(String value) implements Mutation {
        public byte[] apply(byte[] in) {
            return setField(in, "Content-Length", value);
        }
    }

    /** Adds a Transfer-Encoding field (next to whatever framing is there). */
    record AddTransferEncoding(String value) implements Mutation {
        public byte[] apply(byte[] in) {
            Head h = Head.of(in);
            h.lines.add(Math.max(1, h.lines.size() - 1), "Transfer-Encoding: " + value);
            return h.bytes();
        }
    }

    private static byte[] setField(byte[] in, String name, String value) {
        Head h = Head.of(in);
        boolean found = false;
        for (int i = 1; i < h.lines.size(); i++) {
            if (h.lines.get(i).regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
                h.lines.set(i, name + ": " + value);
                found = true;
            }
        }
        if (!found) {
            h.lines.add(Math.max(1, h.lines.size() - 1), name + ": " + value);
        }
        return h.bytes();
    }

    private static int index(double at, int length) {
        return Math.min(length - 1, (int) (at * length));
    }

    private static byte[] splice(byte[] in, int at, int remove, byte[] insert) {
        byte[] out = new byte[in.length - remove + insert.length];
        System.arraycopy(in, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(in, at + remove, out, at + insert.length, in.length - at - remove);
        return out;
    }

    record Mutated(Seed seed, List<Mutation> mutations) {
        byte[] bytes() {
            byte[] b = seed.bytes;
            for (Mutation m : mutations) {
                b = m.apply(b);
            }
            return b;
        }

        @Override
        public String toString() {
            return seed + " with " + mutations + " = " + escape(bytes());
        }
    }

    @Provide
    Arbitrary<Mutated> mutated() {
        Arbitrary<Double> at = Arbitraries.doubles().between(0, 1);
        Arbitrary<Integer> line = Arbitraries.integers().between(0, 20);
        Arbitrary<Mutation> flip = Combinators.combine(at, Arbitraries.integers().between(0, 7)).as(FlipBit::new);
        Arbitrary<Mutation> insert = Combinators.combine(at, Arbitraries.oneOf(
                Arbitraries.strings().all().ofMinLength(1).ofMaxLength(8).map(FrontEndFuzzTest::latin1),
                Arbitraries.of("\r\n", "\r\n\r\n", "\n", "\r", "\u0000", " ", "\t", "\r\n ", "\r\n\t", ":", "%00", "\u00ff",
                        "0\r\n\r\n", "GET /owa/ HTTP/1.1\r\nHost: x\r\n\r\n", "\r\nTransfer-Encoding: chunked",
                        "\r\nContent-Length: 0", "\r\nX-Injected: 1"))).as(InsertBytes::new);
        Arbitrary<Mutation> delete = Combinators.combine(at, Arbitraries.integers().between(1, 16)).as(DeleteBytes::new);
        Arbitrary<Mutation> truncate = Arbitraries.doubles().between(0, 1).map(Truncate::new);
        Arbitrary<Mutation> duplicate = line.map(DuplicateLine::new);
        Arbitrary<Mutation> drop = line.map(DropLine::new);
        Arbitrary<Mutation> ending = Combinators.combine(line, Arbitraries.of("\n", "\r", "\n\r", "\r\r\n", "", "\r\n\r\n", " \r\n"))
                .as(ChangeLineEnding::new);
        Arbitrary<Mutation> special = Combinators.combine(line, at, Arbitraries.of("\u0000", " ", "\t", "\r\n ", "\r\n\t", "\u000b",
                "\u007f")).as(InsertInField::new);
        Arbitrary<Mutation> contentLength = Arbitraries.oneOf(
                Arbitraries.of("0", "1", "15", "16", "17", "23", "24", "25", "-1", "+24", " 24", "24 24", "24,24", "0x18", "",
                        "024", "18446744073709551616", "99999999", "2147483648", "1e3", "24\u0000"),
                Arbitraries.integers().between(0, 100_000).map(String::valueOf)).map(SetContentLength::new);
        Arbitrary<Mutation> transferEncoding = Arbitraries.of("chunked", "Chunked", " chunked", "chunked ", "gzip", "gzip, chunked",
                "chunked, gzip", "chunked, chunked", "identity", "x-chunked", "chunked\u0000", "\tchunked").map(AddTransferEncoding::new);
        Arbitrary<Mutation> mutation = Arbitraries.frequencyOf(
                Tuple.of(3, flip), Tuple.of(3, insert), Tuple.of(2, delete), Tuple.of(1, truncate), Tuple.of(2, duplicate),
                Tuple.of(2, drop), Tuple.of(2, ending), Tuple.of(2, special), Tuple.of(2, contentLength), Tuple.of(2, transferEncoding));
        // Mutations that leave nothing to send (a truncation, then a deletion) make an idle connection,
        // which exgate rightly keeps open as Outlook's are: not a request the property is about.
        return Combinators.combine(Arbitraries.of(Seed.class), mutation.list().ofMinSize(1).ofMaxSize(3)).as(Mutated::new)
                .filter(m -> m.bytes().length > 0);
    }

    private static String latin1(String s) {
        return s.chars().mapToObj(c -> String.valueOf((char) (c & 0xff))).collect(Collectors.joining());
    }

    private static void deleteTree(Path root) throws IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            List<Path> all = walk.sorted(Comparator.reverseOrder()).toList();
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        }
    }
}
