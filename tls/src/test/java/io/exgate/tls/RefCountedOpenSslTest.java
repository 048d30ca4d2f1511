package io.exgate.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCounted;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.impl.ConnectionBase;
import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RefCountedOpenSslTest {
    @TempDir
    Path dir;

    @Test
    void eachTlsConnectionsEngineIsReleasedWhenItClosesAndHasNoFinalizer() throws Exception {
        SelfSignedCertificate.Written w = SelfSignedCertificate.write(dir, "a", List.of("outlook.example.com"), Duration.ofDays(1));
        HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(0);
        ServerTls.apply(options, List.of(PemCertificate.load(w.cert(), w.key())), TlsPolicy.defaults(), TlsEngine.OPENSSL, false);
        List<SSLEngine> engines = new CopyOnWriteArrayList<>();
        Vertx vertx = Vertx.vertx();
        try {
            HttpServer server = vertx.createHttpServer(options)
                    .connectionHandler(c -> engines.add(((ConnectionBase) c).channelHandlerContext().pipeline().get(SslHandler.class).engine()))
                    .requestHandler(request -> request.response().end("ok"))
                    .listen().await(10, TimeUnit.SECONDS);
            HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false));
            for (int i = 0; i < 3; i++) {
                String body = client.request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/")
                        .compose(request -> request.putHeader("Connection", "close").send())
                        .compose(response -> response.body()).await(10, TimeUnit.SECONDS).toString();
                assertThat(body).isEqualTo("ok");
            }
            client.close().await(10, TimeUnit.SECONDS); // also keeps it referenced: Vert.x closes an unreferenced client
            assertThat(engines).hasSize(3);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (engines.stream().anyMatch(e -> ((ReferenceCounted) e).refCnt() > 0) && System.nanoTime() < deadline) {
                Thread.sleep(20); // the server closes its side after the answer, asynchronously
            }
            for (SSLEngine engine : engines) {
                assertThat(declaresFinalizer(engine.getClass())).as(engine.getClass().getName()).isFalse();
                assertThat(((ReferenceCounted) engine).refCnt()).as("references left once the connection closed").isZero();
            }
        } finally {
            vertx.close().await(15, TimeUnit.SECONDS);
        }
    }

    @Test
    void aContextVertxNoLongerHoldsIsReleased() throws Exception {
        SelfSignedCertificate.Written w = SelfSignedCertificate.write(dir, "b", List.of("outlook.example.com"), Duration.ofDays(1));
        Vertx vertx = Vertx.vertx();
        try {
            PemCertificate certificate = PemCertificate.load(w.cert(), w.key());
            var keys = ServerTls.sslOptions(List.of(certificate), TlsPolicy.defaults(), false).getKeyCertOptions().getKeyManagerFactory(vertx);
            SslContext held = new RefCountedOpenSsl().sslContextFactory().keyMananagerFactory(keys).create();
            ReferenceCounted inner = (ReferenceCounted) ((RefCountedOpenSsl.Released) held).context();
            assertThat(inner.refCnt()).isEqualTo(1);
            WeakReference<SslContext> dropped = new WeakReference<>(held);
            held = null; // what a certificate reload does to the context it replaces
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (inner.refCnt() > 0 && System.nanoTime() < deadline) {
                System.gc();
                Thread.sleep(50);
            }
            assertThat(dropped.get()).isNull();
            assertThat(inner.refCnt()).as("native context released").isZero();
        } finally {
            vertx.close().await(15, TimeUnit.SECONDS);
        }
    }

    private static boolean declaresFinalizer(Class<?> type) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            try {
                c.getDeclaredMethod("finalize");
                return true;
            } catch (NoSuchMethodException e) {
                // not this class: look further up
            }
        }
        return false;
    }
}
