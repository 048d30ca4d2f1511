package io.exgate.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.exgate.routing.Classification;
import io.exgate.routing.ExchangeProtocol;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BackendClientTest {
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close().await();
    }

    @Test
    void longPollsAndRpcChannelsBorrowFromTheirOwnPoolSoThatShortRequestsNeverScanTheirConnections() {
        HttpClientAgent requests = vertx.createHttpClient();
        HttpClientAgent channels = vertx.createHttpClient();
        BackendClient client = new BackendClient(requests, channels);
        assertThat(client.poolFor(new Classification(ExchangeProtocol.MAPI_EMSMDB, "NotificationWait"))).isSameAs(channels);
        assertThat(client.poolFor(new Classification(ExchangeProtocol.RPC, Classification.RPC_IN))).isSameAs(channels);
        assertThat(client.poolFor(new Classification(ExchangeProtocol.RPC, Classification.RPC_OUT))).isSameAs(channels);
        assertThat(client.poolFor(new Classification(ExchangeProtocol.MAPI_EMSMDB, "Execute"))).isSameAs(requests);
        assertThat(client.poolFor(new Classification(ExchangeProtocol.RPC, Classification.RPC_ECHO))).isSameAs(requests);
        assertThat(client.poolFor(new Classification(ExchangeProtocol.EWS, null))).isSameAs(requests);
    }
}
