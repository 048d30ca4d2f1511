package io.exgate.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.DelegatingSslContext;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.spi.tls.SslContextFactory;
import java.lang.ref.Cleaner;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * Vert.x's OpenSSL engine options, with engines that are released when their connection closes instead
 * of finalized. Vert.x builds its contexts with Netty's {@code OPENSSL} provider, whose engine for every
 * TLS connection has a finalizer: each one is registered with the JVM when it is made, survives one more
 * garbage collection after its connection closed (copied with what it holds), and waits for the
 * finalizer thread, which shares the event loops' cores (benchmark scenario 2, TLS 1.2: GC pauses of
 * 126–181 ms per 10 s of handshakes, 10–19 ms without). Netty's {@code OPENSSL_REFCNT} engines are the
 * same BoringSSL engines without that: Netty's {@code SslHandler} releases them when the connection's
 * pipeline is torn down. Their context is reference-counted too; it is released once Vert.x drops it
 * (a certificate reload replaces it), by a cleaner rather than a finalizer.
 */
final class RefCountedOpenSsl extends OpenSSLEngineOptions {
    /** One thread for every context of the process, idle but for a certificate reload. */
    private static final Cleaner CONTEXTS = Cleaner.create(runnable -> {
        Thread thread = new Thread(runnable, "exgate-tls-context-release");
        thread.setDaemon(true);
        return thread;
    });

    RefCountedOpenSsl() {
    }

    private RefCountedOpenSsl(RefCountedOpenSsl other) {
        super(other);
    }

    @Override
    public RefCountedOpenSsl copy() {
        return new RefCountedOpenSsl(this); // Vert.x copies its options: the copy must stay this kind
    }

    @Override
    public SslContextFactory sslContextFactory() {
        return new Factory(isSessionCacheEnabled());
    }

    /** Vert.x's default factory for OpenSSL (same ciphers, ALPN and session cache), on the reference-counted provider. */
    private static final class Factory implements SslContextFactory {
        private final boolean sessionCache;
        private Set<String> cipherSuites;
        private List<String> applicationProtocols;
        private boolean useAlpn;
        private ClientAuth clientAuth;
        private boolean forClient;
        private KeyManagerFactory kmf;
        private TrustManagerFactory tmf;

        Factory(boolean sessionCache) {
            this.sessionCache = sessionCache;
        }

        @Override
        public SslContextFactory useAlpn(boolean useAlpn) {
            this.useAlpn = useAlpn;
            return this;
        }

        @Override
        public SslContextFactory clientAuth(ClientAuth clientAuth) {
            this.clientAuth = clientAuth;
            return this;
        }

        @Override
        public SslContextFactory forClient(boolean forClient) {
            this.forClient = forClient;
            return this;
        }

        @Override
        public SslContextFactory keyMananagerFactory(KeyManagerFactory kmf) {
            this.kmf = kmf;
            return this;
        }

        @Override
        public SslContextFactory trustManagerFactory(TrustManagerFactory tmf) {
            this.tmf = tmf;
            return this;
        }

        @Override
        public SslContextFactory enabledCipherSuites(Set<String> cipherSuites) {
            this.cipherSuites = cipherSuites;
            return this;
        }

        @Override
        public SslContextFactory applicationProtocols(List<String> applicationProtocols) {
            this.applicationProtocols = applicationProtocols;
            return this;
        }

        @Override
        public SslContext create() throws SSLException {
            SslContextBuilder builder = forClient ? SslContextBuilder.forClient() : SslContextBuilder.forServer(kmf);
            if (forClient && kmf != null) {
                builder.keyManager(kmf);
            }
            builder.sslProvider(SslProvider.OPENSSL_REFCNT);
            if (tmf != null) {
                builder.trustManager(tmf);
            }
            Collection<String> ciphers = cipherSuites == null || cipherSuites.isEmpty() ? OpenSsl.availableOpenSslCipherSuites() : cipherSuites;
            builder.ciphers(ciphers);
            if (useAlpn && applicationProtocols != null && !applicationProtocols.isEmpty()) {
                // As Vert.x: OpenSSL cannot send a fatal alert for an unknown protocol.
                builder.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, applicationProtocols));
            }
            if (clientAuth != null) {
                builder.clientAuth(clientAuth);
            }
            SslContext context = builder.build();
            if (!forClient && context.sessionContext() instanceof OpenSslSessionContext sessions) {
                sessions.setSessionCacheEnabled(sessionCache);
            }
            return new Released(context);
        }
    }

    /**
     * The context as Vert.x holds it: when Vert.x drops it, the cleaner gives back the reference the
     * builder handed out. Engines hold references of their own, so connections still open keep it alive.
     */
    static final class Released extends DelegatingSslContext {
        private final SslContext context;

        Released(SslContext context) {
            super(context);
            this.context = context;
            CONTEXTS.register(this, () -> ReferenceCountUtil.release(context));
        }

        /** The reference-counted context this one hands engines out of. */
        SslContext context() {
            return context;
        }

        @Override
        protected void initEngine(SSLEngine engine) {
            // Nothing to add: the builder configured everything.
        }
    }
}
