package io.exgate.tls;

import io.netty.handler.ssl.OpenSsl;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.SSLEngineOptions;

/** Which TLS implementation terminates connections: BoringSSL through netty-tcnative, or the JDK's. */
public enum TlsEngine {
    OPENSSL, JDK;

    /** Resolves the configured choice: {@code auto} prefers OpenSSL and falls back to the JDK. */
    public static TlsEngine resolve(String choice) {
        return switch (choice) {
            case "auto" -> OpenSSLEngineOptions.isAvailable() ? OPENSSL : JDK;
            case "openssl" -> {
                if (!OpenSSLEngineOptions.isAvailable()) {
                    throw new IllegalStateException("the OpenSSL engine was requested but netty-tcnative cannot load: "
                            + OpenSsl.unavailabilityCause());
                }
                yield OPENSSL;
            }
            case "jdk" -> JDK;
            default -> throw new IllegalArgumentException("unknown TLS engine '" + choice + "' (auto, openssl, jdk)");
        };
    }

    public SSLEngineOptions options() {
        // Sessions are cached by the engine so that Outlook's reconnects resume instead of a full handshake.
        return this == OPENSSL ? new RefCountedOpenSsl().setSessionCacheEnabled(true) : new JdkSSLEngineOptions();
    }

    /** A name for the startup line and, later, metrics: "OpenSSL (BoringSSL)" or "JDK (SunJSSE)". */
    public String describe() {
        return this == OPENSSL ? "OpenSSL (" + OpenSsl.versionString() + " via netty-tcnative)" : "JDK (SunJSSE)";
    }
}
