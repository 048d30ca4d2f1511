package io.exgate.tls;

import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import io.vertx.core.Vertx;
import io.vertx.core.net.PemKeyCertOptions;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import javax.net.ssl.KeyManagerFactory;

/**
 * PEM certificates whose key material OpenSSL takes over once per certificate, not once per handshake.
 * Netty cannot know whether a plain {@link KeyManagerFactory} may change, so for one it encodes the
 * chain and key to PEM and has OpenSSL parse them again on every handshake: 7% of the event loop's
 * Java time in the handshake benchmark, plus the native parsing. These certificates never change under
 * a running context (a reload builds new options), which is what {@link OpenSslCachingX509KeyManagerFactory}
 * asks of its caller. With the JDK engine the wrapper only hands the key managers on.
 */
final class OpenSslCachedKeyCerts extends PemKeyCertOptions {
    /** One wrapper per factory Vert.x keeps (one per SNI name), so that the cache is shared. */
    private final Map<KeyManagerFactory, KeyManagerFactory> cached = new ConcurrentHashMap<>();

    OpenSslCachedKeyCerts() {
    }

    private OpenSslCachedKeyCerts(OpenSslCachedKeyCerts other) {
        super(other);
    }

    @Override
    public KeyManagerFactory getKeyManagerFactory(Vertx vertx) throws Exception {
        return cache(super.getKeyManagerFactory(vertx));
    }

    @Override
    public Function<String, KeyManagerFactory> keyManagerFactoryMapper(Vertx vertx) throws Exception {
        Function<String, KeyManagerFactory> byName = super.keyManagerFactoryMapper(vertx);
        return byName == null ? null : name -> cache(byName.apply(name));
    }

    private KeyManagerFactory cache(KeyManagerFactory factory) {
        return factory == null ? null : cached.computeIfAbsent(factory, OpenSslCachingX509KeyManagerFactory::new);
    }

    @Override
    public OpenSslCachedKeyCerts copy() {
        return new OpenSslCachedKeyCerts(this);
    }
}
