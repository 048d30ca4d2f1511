package io.exgate.proxy.http;

import io.exgate.proxy.config.BackendSettings;
import io.exgate.proxy.config.ExgateConfig;
import io.exgate.tls.ServerTls;
import io.exgate.tls.TlsEngine;
import io.exgate.tls.PemCertificate;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One event loop's share of the public listener: its own server instance on the shared port and its
 * own backend clients, so that a request and its backend connection stay on one thread.
 */
public final class FrontendVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(FrontendVerticle.class);
    private final ExgateConfig config;
    private final int port;
    private final TlsEngine engine;
    private final FrontendContext context;
    private HttpServer server;
    private io.vertx.core.Context loop;
    /**
     * This loop's client connections not closed yet. Vert.x's shutdown starts their closes but does not
     * wait for them to finish; a stop does, before the event loops go.
     */
    private ChannelGroup clientChannels;
    // Replaced together by a configuration reload, on this verticle's event loop only.
    private ExgateConfig current;
    private Map<String, BackendClient> clients;
    private volatile FrontendHandler handler;
    private volatile RelayRoutes routes;
    private Map<String, BackendPool> pools;
    private final List<BackendClient> retired = new java.util.ArrayList<>();
    /** Pools a reload replaced, while connections of theirs may still be in use: a stop waits for them too. */
    private final List<BackendPool> retiredPools = new java.util.ArrayList<>();

    public FrontendVerticle(ExgateConfig config, int port, TlsEngine engine, FrontendContext context) {
        this.config = config;
        this.port = port;
        this.engine = engine;
        this.context = context;
    }

    public int actualPort() {
        return server.actualPort();
    }

    @Override
    public Future<?> start() {
        loop = vertx.getOrCreateContext();
        clientChannels = new DefaultChannelGroup("exgate clients", ((ContextInternal) loop).nettyEventLoop());
        current = config;
        clients = BackendClients.create(vertx, config.backends(), config.timeouts());
        pools = pools(config, clients, Map.of());
        handler = handler(config, context.router());
        routes = routes(config, context.router());
        HttpServerOptions options = new HttpServerOptions()
                .setHost(config.listen().host())
                .setPort(port)
                .setHandle100ContinueAutomatically(false)
                // Behind a layer-4 balancer the client's address arrives in a PROXY header; without one it is refused.
                .setUseProxyProtocol(config.proxyProtocol())
                .setProxyProtocolTimeout(10).setProxyProtocolTimeoutUnit(TimeUnit.SECONDS)
                .setMaxHeaderSize(config.limits().maxHeaderSize())
                .setMaxInitialLineLength(config.limits().maxRequestLine())
                .setCompressionSupported(false)
                .setDecompressionSupported(false)
                // exgate relays no WebSockets: without these Vert.x puts an extension handler in every pipeline.
                .setPerMessageWebSocketCompressionSupported(false)
                .setPerFrameWebSocketCompressionSupported(false)
                .setTcpNoDelay(true)
                // Every response is written from this verticle's event loop (its backend clients are bound
                // to it too): Vert.x then writes straight to the channel instead of through a
                // multi-producer queue, which costs a 4 KiB array per connection and a CAS per write.
                .setStrictThreadMode(true)
                // A backstop a little beyond the per-request idle watch, which fires first and answers 504.
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                .setIdleTimeout((int) backstopMillis(config));
        options.setSslHandshakeTimeout(10).setSslHandshakeTimeoutUnit(TimeUnit.SECONDS);
        ServerTls.apply(options, config.certificates(), config.tls().policy(), engine, config.tls().http2());
        server = vertx.createHttpServer(options)
                .connectionHandler(connection -> accept(connection, options))
                .invalidRequestHandler(new InvalidRequests(context.meters()))
                .exceptionHandler(failure -> {
                    if (failure instanceof javax.net.ssl.SSLException || failure.getCause() instanceof javax.net.ssl.SSLException
                            || String.valueOf(failure.getMessage()).contains("SSL")) {
                        context.meters().tlsHandshakeFailed();
                    }
                })
                // Read per request: a reload swaps the handler, requests in flight finish with the old one.
                .requestHandler(request -> handler.handle(request));
        return server.listen();
    }

    private FrontendHandler handler(ExgateConfig config, io.exgate.routing.MailboxRouter router) {
        return new FrontendHandler(vertx, router, clients, config.timeouts().idle().toMillis(),
                config.timeouts().connect().toMillis(), context.logSink(), context.health(), context.healthcheckPage());
    }

    /** The connection-level idle timeout: a backstop a little beyond the per-request idle watch. */
    private static long backstopMillis(ExgateConfig config) {
        return Math.min(Integer.MAX_VALUE, config.timeouts().idle().toMillis() + 30_000);
    }

    private RelayRoutes routes(ExgateConfig config, io.exgate.routing.MailboxRouter router) {
        return new RelayRoutes(router, Map.copyOf(pools), new PinnedConnections(context.pins(), config.pinning()),
                config.timeouts().idle().toMillis(), context.logSink(), context.health(), context.healthcheckPage(), context.meters());
    }

    /** This event loop's connection pool per backend: kept where the backend's client is kept, new otherwise. */
    private Map<String, BackendPool> pools(ExgateConfig config, Map<String, BackendClient> clients, Map<String, BackendPool> before) {
        Map<String, BackendPool> next = new java.util.LinkedHashMap<>();
        for (BackendSettings b : config.backends()) {
            String name = b.backend().name();
            BackendPool old = before.get(name);
            next.put(name, old != null && old.connector() == clients.get(name).requests() ? old
                    : new BackendPool(b.backend(), clients.get(name).requests(), (io.vertx.core.internal.ContextInternal) loop,
                    config.timeouts().backendKeepAlive().toMillis(), config.timeouts().connect().toMillis(), backstopMillis(config)));
        }
        return next;
    }

    /**
     * Puts a reloaded configuration into service on this event loop: backends whose connection settings
     * are unchanged keep their client and pooled connections; new or changed ones get a new client;
     * the clients of removed or changed backends finish what runs on them (up to {@code grace}) and close.
     */
    public Future<Void> reconfigure(ExgateConfig next, io.exgate.routing.MailboxRouter router, java.time.Duration grace) {
        io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
        loop.runOnContext(v -> {
            boolean sameTimeouts = next.timeouts().equals(current.timeouts());
            Map<String, BackendSettings> before = new java.util.HashMap<>();
            current.backends().forEach(b -> before.put(b.backend().name(), b));
            Map<String, BackendClient> kept = new java.util.LinkedHashMap<>();
            List<BackendSettings> fresh = new java.util.ArrayList<>();
            for (BackendSettings b : next.backends()) {
                BackendSettings old = before.get(b.backend().name());
                if (sameTimeouts && old != null && sameConnection(old, b)) {
                    kept.put(b.backend().name(), clients.get(b.backend().name()));
                } else {
                    fresh.add(b);
                }
            }
            Map<String, BackendClient> retired = new java.util.HashMap<>(clients);
            retired.keySet().removeAll(kept.keySet());
            kept.putAll(BackendClients.create(vertx, fresh, next.timeouts()));
            clients = kept;
            current = next;
            Map<String, BackendPool> poolsBefore = pools;
            pools = pools(next, kept, poolsBefore);
            retiredPools.removeIf(pool -> !pool.hasOpenConnections());
            poolsBefore.forEach((name, pool) -> {
                if (pools.get(name) != pool) {
                    pool.close(); // idle connections now, those in use when their exchange ends
                    retiredPools.add(pool);
                }
            });
            handler = handler(next, router);
            routes = routes(next, router);
            // Vert.x's client shutdown cuts requests in flight: the old client stays until the grace
            // period ends (its idle pooled connections close at the backend keep-alive timeout meanwhile).
            retired.values().forEach(client -> {
                this.retired.add(client);
                vertx.setTimer(Math.max(1, grace.toMillis()), t -> {
                    this.retired.remove(client);
                    client.close();
                });
            });
            done.complete();
        });
        return done.future();
    }

    private static boolean sameConnection(BackendSettings a, BackendSettings b) {
        return a.backend().equals(b.backend()) && a.verify() == b.verify() && a.ca().equals(b.ca()) && a.fingerprint().equals(b.fingerprint());
    }

    /**
     * Counts the connection against {@code limits.max-connections} (closing it at once when the
     * listener is full) and puts exgate's guarded decoder in place of Vert.x's before any request byte
     * is read: Vert.x calls this while it sets the pipeline up.
     */
    private void accept(HttpConnection connection, HttpServerOptions options) {
        context.meters().connectionAccepted();
        ChannelPipeline pipeline = ((ConnectionBase) connection).channelHandlerContext().pipeline();
        ClientConnections connections = context.connections();
        if (!connections.tryOpen()) {
            context.meters().connectionRefused();
            if (connections.shouldWarn()) {
                LOG.warn("limits.max-connections ({}) reached: closing new client connections", connections.max());
            }
            pipeline.channel().close();
            return;
        }
        pipeline.channel().closeFuture().addListener(closed -> connections.closed());
        clientChannels.add(pipeline.channel());
        connections.listening(pipeline.channel().parent());
        if (pipeline.get("httpDecoder") != null) {
            pipeline.replace("httpDecoder", "httpDecoder", new GuardedRequestDecoder(options, config.limits().maxHeaderCount(),
                    config.timeouts().requestHeader().toMillis(), connections));
            // HTTP/1.x is relayed by exgate's own handler in Vert.x's place (HTTP/2 stays with Vert.x).
            String client = connection.remoteAddress() == null ? "?" : connection.remoteAddress().hostAddress();
            pipeline.replace("handler", Http1Relay.NAME, new Http1Relay(() -> routes, client));
            LeanPipeline.apply(pipeline, backstopMillis(config));
        }
    }

    /** New handshakes use these certificates; connections already open keep theirs. */
    public Future<Boolean> updateTls(List<PemCertificate> certificates) {
        return server.updateSSLOptions(ServerTls.sslOptions(certificates, config.tls().policy(), config.tls().http2()), true);
    }

    @Override
    public Future<?> stop() {
        long grace = config.timeouts().shutdown().toMillis();
        return server.shutdown(grace, TimeUnit.MILLISECONDS).eventually(() -> {
            List<Future<?>> closing = new ArrayList<>();
            closing.add(ChannelsClosed.of((ContextInternal) loop, clientChannels));
            pools.values().forEach(pool -> closing.add(pool.stop()));
            retiredPools.forEach(pool -> closing.add(pool.stop()));
            retired.forEach(BackendClient::close);
            closing.add(BackendClients.closeAll(clients));
            return Future.join(closing);
        });
    }
}
