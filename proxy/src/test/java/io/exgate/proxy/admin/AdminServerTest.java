package io.exgate.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.exgate.health.BackendStates;
import io.exgate.health.HealthSettings;
import io.exgate.proxy.config.AdminSettings;
import io.exgate.proxy.config.ListenAddress;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AdminServerTest {
    private final Vertx vertx = Vertx.vertx();
    // Held in a field: Vert.x closes a client no longer referenced ("Pool closed"), even with a request in flight.
    private final HttpClient client = vertx.createHttpClient();

    @AfterEach
    void close() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @Test
    void aFailingScrapeIsAnsweredWith500AndLoggedInsteadOfLeftHanging() throws Exception {
        AdminServer.Actions actions = new AdminServer.Actions(
                () -> Future.succeededFuture("none"), () -> Future.succeededFuture("none"),
                new BackendStates(HealthSettings.defaults()),
                () -> {
                    throw new IllegalStateException("meter registry broken");
                },
                JsonObject::new);
        AdminServer admin = AdminServer.start(vertx, new AdminSettings(new ListenAddress("127.0.0.1", 0), Optional.empty()), actions)
                .await(10, TimeUnit.SECONDS);

        PrintStream err = System.err;
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        System.setErr(new PrintStream(logged, true, StandardCharsets.UTF_8));
        Answer metrics;
        try {
            metrics = get(admin, "/metrics");
        } finally {
            System.setErr(err);
        }

        assertThat(metrics.status()).isEqualTo(500);
        assertThat(metrics.body()).isEqualTo("internal error, see exgate's log\n");
        assertThat(logged.toString(StandardCharsets.UTF_8))
                .contains("admin API: GET /metrics failed: java.lang.IllegalStateException: meter registry broken");
        // The listener still answers what does not fail.
        assertThat(get(admin, "/live")).isEqualTo(new Answer(200, "live\n"));
    }

    @Test
    void aReloadWhoseAnswerCannotBeBuiltIsAnsweredWith500() throws Exception {
        // The reload "succeeds" later with no list of changes: building the answer fails after the handler has returned.
        AdminServer.Actions actions = new AdminServer.Actions(
                () -> Future.succeededFuture("none"), () -> vertx.timer(10).map(t -> (String) null),
                new BackendStates(HealthSettings.defaults()), () -> "", JsonObject::new);
        AdminServer admin = AdminServer.start(vertx, new AdminSettings(new ListenAddress("127.0.0.1", 0), Optional.empty()), actions)
                .await(10, TimeUnit.SECONDS);

        Answer reload = client
                .request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(admin.port()).setURI("/api/reload"))
                .compose(request -> request.send())
                .compose(response -> response.body().map(b -> new Answer(response.statusCode(), b.toString())))
                .await(10, TimeUnit.SECONDS);

        assertThat(reload).isEqualTo(new Answer(500, "internal error, see exgate's log\n"));
    }

    record Answer(int status, String body) {
    }

    private Answer get(AdminServer admin, String uri) throws Exception {
        return client
                .request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(admin.port()).setURI(uri))
                .compose(request -> request.send())
                .compose(response -> response.body().map(b -> new Answer(response.statusCode(), b.toString())))
                .await(10, TimeUnit.SECONDS);
    }
}
