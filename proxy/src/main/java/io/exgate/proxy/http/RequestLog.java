package io.exgate.proxy.http;

import static io.exgate.metrics.HttpProxyField.*;

import io.exgate.metrics.ExgateMeters;
import io.exgate.metrics.HttpProxyField;
import io.exgate.metrics.HttpProxyLogRecord;
import io.exgate.routing.RequestTarget;
import io.exgate.routing.RoutingDecision;
import io.exgate.routing.VirtualDirectory;
import io.vertx.core.MultiMap;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * What one request did, gathered while it runs and written as one HttpProxy log line when it ends
 * (a NotificationWait or an RPC channel gets its line after minutes or hours, with its bytes and times).
 */
final class RequestLog {
    /** Where lines go, and what every line says about this exgate. */
    record Sink(Consumer<HttpProxyLogRecord> writer, String serverHostName, String[] version, boolean logAnonymous401,
                ExgateMeters meters) {
    }


    /** Statuses, latencies and counts are mostly below 1000: their text is made once, not per line. */
    private static final String[] SMALL_NUMBERS = java.util.stream.IntStream.range(0, 1000)
            .mapToObj(String::valueOf).toArray(String[]::new);

    private final Sink sink;
    /*
     * The header fields a line reports, taken when the request arrives: an RPC channel or a long poll then
     * keeps these few strings for its hours, not the client's whole header map (a Negotiate token alone
     * can be kilobytes), and the line shows what the client sent, not what the backend was sent.
     */
    private final String host;
    private final String userAgent;
    private final String authScheme;
    private final String clientRequestId;
    private final String mapiRequestId;
    private final String mapiClientInfo;
    private final String mapiRequestType;
    private final String method;
    /** The host from HTTP/2's :authority, for a request without a Host header. */
    private final String authorityHost;
    private final String rawPath;
    private final String requestId;
    private final String clientAddress;
    private final long startNanos = System.nanoTime();
    private VirtualDirectory vdir;
    private RequestTarget target;
    private RoutingDecision decision;
    private long backendStartNanos;
    private long backendReadyNanos;
    private long backendHeadNanos;
    private int backendStatus = -1;
    private int outstanding = -1;
    private long requestBytes;
    private long responseBytes;
    private StringBuilder info;
    private StringBuilder errors;
    private String errorCode;
    private boolean written;
    private boolean started;

    RequestLog(Sink sink, MultiMap headers, String method, String authorityHost, String rawPath, String requestId, String clientAddress) {
        this.sink = sink;
        this.host = headers.get(HeaderNames.HOST);
        this.userAgent = headers.get(HeaderNames.USER_AGENT);
        this.authScheme = ConnectionBoundAuth.scheme(headers.get(HeaderNames.AUTHORIZATION));
        this.clientRequestId = headers.get(HeaderNames.CLIENT_REQUEST_ID);
        this.mapiRequestId = headers.get(HeaderNames.X_REQUEST_ID);
        this.mapiClientInfo = headers.get(HeaderNames.X_CLIENT_INFO);
        this.mapiRequestType = headers.get(HeaderNames.X_REQUEST_TYPE);
        this.method = method;
        this.authorityHost = authorityHost;
        this.rawPath = rawPath;
        this.requestId = requestId;
        this.clientAddress = clientAddress;
    }

    void target(RequestTarget t, VirtualDirectory v) {
        this.target = t;
        this.vdir = v;
    }

    void decision(RoutingDecision d) {
        if (decision == null) {
            sink.meters().requestStarted(d.classification().protocol().name(), d.classification().action());
            started = true;
        }
        this.decision = d;
    }

    void backendStarted(int outstandingRequests) {
        backendStartNanos = System.nanoTime();
        outstanding = outstandingRequests;
    }

    void backendReady() {
        backendReadyNanos = System.nanoTime();
    }

    void backendAnswered(int status) {
        backendHeadNanos = System.nanoTime();
        backendStatus = status;
    }

    void bytes(long in, long out) {
        requestBytes = in;
        responseBytes = out;
    }

    /** A {@code key=value;} pair for GenericInfo; Exchange's separators inside values become spaces. */
    void info(String key, String value) {
        if (info == null) {
            info = new StringBuilder();
        }
        info.append(key).append('=').append(clean(value)).append(';');
    }

    void error(String code, String detail) {
        errorCode = code;
        if (errors == null) {
            errors = new StringBuilder();
        }
        errors.append(code).append('=').append(clean(detail)).append(';');
    }

    /** Writes the line once; later calls do nothing. */
    void end(int status) {
        if (written || vdir == null) {
            return;
        }
        written = true;
        sink.meters().requestEnded(decision == null ? vdir.name() : decision.classification().protocol().name(),
                decision == null ? null : decision.classification().action(), decision == null ? null : decision.backend().name(),
                status, System.nanoTime() - startNanos, requestBytes, responseBytes, started);
        if (status == 401 && authScheme == null && !sink.logAnonymous401()) {
            return; // Exchange leaves the anonymous first leg of every handshake out, too.
        }
        HttpProxyLogRecord.Builder b = HttpProxyLogRecord.builder(vdir.logName());
        long now = System.nanoTime();
        set(b, DateTime, IsoInstant.format(Instant.now()));
        set(b, RequestId, requestId);
        set(b, MajorVersion, sink.version()[0]);
        set(b, MinorVersion, sink.version()[1]);
        set(b, BuildVersion, sink.version()[2]);
        set(b, RevisionVersion, sink.version()[3]);
        set(b, ClientRequestId, clientRequestId());
        set(b, Protocol, vdir.logName());
        set(b, UrlHost, host == null ? authorityHost : stripPort(host));
        set(b, UrlStem, target == null ? rawPath : target.path().value());
        set(b, UrlQuery, target == null || target.query() == null ? "" : "?" + target.query());
        set(b, Method, method);
        set(b, ProtocolAction, decision == null || decision.classification().action() == null ? "" : decision.classification().action());
        set(b, AuthenticationType, authScheme == null ? "Anonymous" : authScheme.equalsIgnoreCase("Bearer") ? "OAuth" : authScheme);
        set(b, IsAuthenticated, String.valueOf(authScheme != null && status != 401 && status != 403));
        set(b, UserAgent, userAgent);
        set(b, ClientIpAddress, clientAddress);
        set(b, ServerHostName, sink.serverHostName());
        set(b, HttpStatus, number(status));
        set(b, BackEndStatus, backendStatus < 0 ? "" : number(backendStatus));
        set(b, ErrorCode, errorCode);
        set(b, ProxyAction, "Proxy");
        if (decision != null) {
            set(b, TargetServer, decision.backend().host());
            set(b, RoutingType, decision.reason().logName());
            set(b, RoutingHint, decision.key().kind().logName());
            set(b, AnchorMailbox, decision.key().isPresent() ? decision.key().kind().logName() + "~" + decision.key().value() : "");
            set(b, BackEndCookie, decision.setCookie() == null ? "" : decision.backend().name());
        }
        set(b, RequestBytes, number(requestBytes));
        set(b, ResponseBytes, number(responseBytes));
        set(b, TargetOutstandingRequests, outstanding < 0 ? "" : number(outstanding));
        if (backendStartNanos > 0 && backendReadyNanos > 0) {
            set(b, BackendReqInitLatency, millis(backendReadyNanos - backendStartNanos));
        }
        if (backendReadyNanos > 0 && backendHeadNanos > 0) {
            set(b, BackendProcessingLatency, millis(backendHeadNanos - backendReadyNanos));
        }
        if (backendHeadNanos > 0) {
            set(b, BackendRespStreamLatency, millis(now - backendHeadNanos));
            set(b, ProxyTime, millis(backendStartNanos - startNanos));
        }
        set(b, TotalRequestTime, millis(now - startNanos));
        set(b, GenericInfo, info == null ? "" : info.toString());
        set(b, GenericErrors, errors == null ? "" : errors.toString());
        sink.writer().accept(b.build());
    }

    private String clientRequestId() {
        if (vdir != VirtualDirectory.MAPI) {
            return clientRequestId;
        }
        return "R:" + orNull(mapiRequestId) + ";CI:" + orNull(mapiClientInfo) + ";RT:" + orNull(mapiRequestType);
    }

    private static String orNull(String v) {
        return v == null ? "<null>" : v.isEmpty() ? "<empty>" : v;
    }

    private static String stripPort(String host) {
        int colon = host.lastIndexOf(':');
        return colon > 0 && host.indexOf(']') < colon ? host.substring(0, colon) : host;
    }

    private static String millis(long nanos) {
        return number(Math.max(0, nanos / 1_000_000));
    }

    private static String number(long n) {
        return n >= 0 && n < SMALL_NUMBERS.length ? SMALL_NUMBERS[(int) n] : String.valueOf(n);
    }

    private static String clean(String value) {
        return value == null ? "" : value.replaceAll("[,;=\\r\\n]", " ");
    }

    private static void set(HttpProxyLogRecord.Builder b, HttpProxyField f, String v) {
        b.set(f, v);
    }
}
