package io.exgate.health;

import io.exgate.routing.Backend;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One probe of one backend for one virtual directory: {@code GET} the {@link ProbeSpec}'s path and
 * judge status and body. Every outcome, a hang and a reset included, is a {@link ProbeResult}; the
 * returned future never fails.
 */
public final class HealthProbe {

    /** Enough for {@code 200 OK<br/>} and any FQDN; a large error page is not downloaded. */
    static final int MAX_BODY_BYTES = 512;

    private final Vertx vertx;
    private final HttpClient client;
    private final long timeoutMs;

    public HealthProbe(Vertx vertx, HttpClient client, Duration timeout) {
        this.vertx = Objects.requireNonNull(vertx);
        this.client = Objects.requireNonNull(client);
        this.timeoutMs = Math.max(1, timeout.toMillis());
    }

    /**
     * Probes {@code backend} over its own scheme, host and port.
     *
     * @param hostHeader the public name clients use (Exchange answers per virtual host); null means
     *                   the backend's host
     */
    public Future<ProbeResult> probe(Backend backend, ProbeSpec spec, String hostHeader) {
        long started = System.nanoTime();
        Promise<ProbeResult> outcome = Promise.promise();
        AtomicReference<HttpClientRequest> inFlight = new AtomicReference<>();
        // Our own deadline covers DNS, connect, TLS and a server that trickles bytes; the client's
        // connect and idle timeouts are only a backstop.
        long timer = vertx.setTimer(timeoutMs, id -> {
            if (outcome.tryComplete(ProbeResult.failed(ProbeFailure.timeout(timeoutMs), since(started)))) {
                HttpClientRequest request = inFlight.get();
                if (request != null) {
                    request.reset();
                }
            }
        });
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setHost(backend.host())
                .setPort(backend.port())
                .setSsl(backend.tls())
                .setURI(spec.path())
                .setFollowRedirects(false)
                .setConnectTimeout(timeoutMs)
                .setIdleTimeout(timeoutMs);
        HostAndPort authority = authority(hostHeader != null && !hostHeader.isBlank() ? hostHeader : backend.host());
        try {
            // The body is read in the same chain as the request: after an await() its data would be lost.
            client.request(options)
                    .compose(request -> {
                        inFlight.set(request);
                        if (outcome.future().isComplete()) {
                            request.reset(); // timed out while connecting: do not send it late
                            return Future.failedFuture("abandoned after timeout");
                        }
                        request.authority(authority);
                        // The request reports a reset itself; unhandled, Vert.x would also log it as
                        // an ERROR on every probe of a backend that is out of service.
                        request.connection().exceptionHandler(e -> { });
                        return request.send().compose(response -> readPrefix(response)
                                .map(body -> judge(spec, response.statusCode(), response.getHeader("Location"),
                                        body, since(started))));
                    })
                    .onComplete(done -> {
                        vertx.cancelTimer(timer);
                        outcome.tryComplete(done.succeeded() ? done.result()
                                : ProbeResult.failed(ProbeFailure.reason(done.cause(), backend.host(), timeoutMs),
                                        since(started)));
                    });
        } catch (RuntimeException e) { // e.g. a client closed by stop(): still a result, not an exception
            vertx.cancelTimer(timer);
            outcome.tryComplete(ProbeResult.failed(ProbeFailure.reason(e, backend.host(), timeoutMs), since(started)));
        }
        return outcome.future();
    }

    /** Collects the first {@link #MAX_BODY_BYTES} bytes and stops reading there. */
    private static Future<Buffer> readPrefix(HttpClientResponse response) {
        Promise<Buffer> prefix = Promise.promise();
        Buffer body = Buffer.buffer();
        response.exceptionHandler(prefix::tryFail);
        response.endHandler(v -> prefix.tryComplete(body));
        response.handler(chunk -> {
            int room = MAX_BODY_BYTES - body.length();
            if (room > 0) {
                body.appendBuffer(chunk, 0, Math.min(room, chunk.length()));
            }
            if (body.length() >= MAX_BODY_BYTES && prefix.tryComplete(body)) {
                response.request().reset(); // keep-alive is off: dropping the connection is cheap
            }
        });
        return prefix.future();
    }

    /** Healthy when the status is the expected one and the body starts with the expected prefix. */
    static ProbeResult judge(ProbeSpec spec, int status, String location, Buffer body, Duration latency) {
        String text = body.toString(StandardCharsets.ISO_8859_1);
        String firstBytes = Printable.of(text, 80);
        String server = reportedServer(text);
        String failure = null;
        if (status != spec.expectedStatus()) {
            failure = "status " + status + " (expected " + spec.expectedStatus() + ")";
            if (status / 100 == 3 && location != null) {
                failure += ", redirect to " + Printable.of(location, 80);
            }
        } else if (spec.expectedBodyPrefix() != null && !text.startsWith(spec.expectedBodyPrefix())) {
            failure = "body does not start with '" + spec.expectedBodyPrefix() + "'";
        }
        return new ProbeResult(failure == null, status, firstBytes, latency, server, failure);
    }

    /** The server Exchange names in a healthy body, {@code 200 OK<br/>EX1.corp.example.com}. */
    static String reportedServer(String body) {
        String marker = "200 OK<br/>";
        if (!body.startsWith(marker)) {
            return null;
        }
        String rest = body.substring(marker.length()).strip();
        int end = 0;
        while (end < rest.length() && !Character.isWhitespace(rest.charAt(end)) && rest.charAt(end) != '<') {
            end++;
        }
        String name = Printable.of(rest.substring(0, end), 255);
        return name.isEmpty() ? null : name;
    }

    private static HostAndPort authority(String host) {
        HostAndPort parsed = HostAndPort.parseAuthority(host, -1);
        return parsed != null ? parsed : HostAndPort.authority(host);
    }

    private static Duration since(long startedNanos) {
        return Duration.ofNanos(System.nanoTime() - startedNanos);
    }
}
