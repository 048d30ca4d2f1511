package io.exgate.tls;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.net.PemTrustOptions;
import java.util.Optional;

/** TLS toward a backend: verified against the system trust store, a given CA, or (labs only) not at all. */
public final class BackendTls {
    private BackendTls() {
    }

    public static HttpClientOptions apply(HttpClientOptions options, boolean verify, Optional<Buffer> caPem) {
        options.setSsl(true);
        if (!verify) {
            return options.setTrustAll(true).setVerifyHost(false);
        }
        caPem.ifPresent(ca -> options.setTrustOptions(new PemTrustOptions().addCertValue(ca)));
        return options.setTrustAll(false).setVerifyHost(true);
    }
}
