package io.exgate.proxy.http;

import io.exgate.proxy.config.BackendSettings;
import io.exgate.proxy.config.Timeouts;
import io.exgate.tls.BackendTls;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Each backend's pooled HTTP clients ({@link BackendClient}), with its TLS settings and exgate's timeouts. */
public final class BackendClients {
    private static final Logger LOG = LoggerFactory.getLogger(BackendClients.class);
    /**
     * Every long poll and RPC channel holds a backend connection for its whole life, so the pool must
     * be as large as the number of such clients; it is not a throughput knob.
     */
    static final int MAX_CONNECTIONS_PER_BACKEND = 20_000;
    /** Kerberos tokens make headers large; Exchange allows 64 KiB. */
    public static final int MAX_HEADER_SIZE = 64 * 1024;

    private BackendClients() {
    }

    static Map<String, BackendClient> create(Vertx vertx, List<BackendSettings> backends, Timeouts timeouts) {
        Map<String, BackendClient> clients = new LinkedHashMap<>();
        for (BackendSettings b : backends) {
            clients.put(b.backend().name(), new BackendClient(pool(vertx, b, timeouts, ""), pool(vertx, b, timeouts, "-channels")));
        }
        return clients;
    }

    private static HttpClientAgent pool(Vertx vertx, BackendSettings b, Timeouts timeouts, String suffix) {
        PoolOptions pool = new PoolOptions().setHttp1MaxSize(MAX_CONNECTIONS_PER_BACKEND).setMaxWaitQueueSize(-1);
        HttpClientOptions options = options(b, timeouts);
        String name = b.backend().name();
        return vertx.httpClientBuilder().with(options.setName(options.getName() + suffix)).with(pool)
                .withConnectHandler(connection -> {
                    FlushBatching.install(((ConnectionBase) connection).channelHandlerContext().pipeline());
                    // A backend resetting an idle pooled connection (a restart, its keep-alive limit) is routine,
                    // and a request on the connection reports its own failure: without a handler Vert.x logs
                    // each one as an ERROR with no request to tie it to.
                    connection.exceptionHandler(failure -> LOG.debug("backend {}: pooled connection failed: {}", name, failure.toString()));
                })
                .build();
    }

    /** A backend's client options: its TLS settings and exgate's timeouts (health probes use them too). */
    public static HttpClientOptions options(BackendSettings b, Timeouts timeouts) {
        {
            HttpClientOptions options = new HttpClientOptions()
                    .setName("exgate-" + b.backend().name())
                    .setProtocolVersion(HttpVersion.HTTP_1_1)
                    .setKeepAlive(true)
                    .setKeepAliveTimeout((int) Math.max(1, timeouts.backendKeepAlive().toSeconds()))
                    .setConnectTimeout((int) timeouts.connect().toMillis())
                    .setMaxHeaderSize(MAX_HEADER_SIZE)
                    .setMaxInitialLineLength(16 * 1024)
                    .setDecompressionSupported(false)
                    .setTcpNoDelay(true);
            // The connection-level timeout is a backstop a little beyond the per-request idle watch,
            // which fires first and answers 504.
            options.setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                    .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, timeouts.idle().toMillis() + 30_000));
            if (b.backend().tls()) {
                BackendTls.apply(options, b.verify(), b.ca(), b.fingerprint());
            }
            return options;
        }
    }

    static Future<Void> closeAll(Map<String, BackendClient> clients) {
        return Future.all(clients.values().stream().map(BackendClient::close).toList()).mapEmpty();
    }
}
