package io.exgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.exgate.proxy.demo.SimulatedMailboxServer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.NetServer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ProxyLogon and ProxyShell chose a back end from what the client sent. exgate never does: a canary
 * server that every trick names must see no connection at all.
 */
class NoSsrfTest {
    @TempDir
    Path dir;

    @Test
    void nothingAClientSendsMakesExgateConnectAnywhereButItsBackends() throws Exception {
        try (Lab lab = new Lab(dir)) {
            AtomicInteger canaryConnections = new AtomicInteger();
            NetServer canary = lab.vertx.createNetServer().connectHandler(socket -> {
                canaryConnections.incrementAndGet();
                socket.close();
            });
            int canaryPort = canary.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
            String canaryHost = "127.0.0.1:" + canaryPort;
            SimulatedMailboxServer ex1 = new SimulatedMailboxServer(lab.vertx, "ex1", SimulatedMailboxServer.Settings.exchangeLike());
            lab.startExgate(List.of(lab.simulator(ex1)));

            try (RawHttps raw = new RawHttps(lab.port())) {
                raw.send("GET http://" + canaryHost + "/owa/ HTTP/1.1\r\nHost: " + canaryHost + "\r\n\r\n");
                assertThat(raw.readResponse().header("X-BEServer")).isEqualTo("EX1");
            }
            List<RequestOptions> tricks = List.of(
                    new RequestOptions().setURI("/owa/").putHeader("Host", canaryHost),
                    new RequestOptions().setURI("/ecp/").putHeader("Cookie", "X-BEResource=" + canaryHost + "/EWS/Exchange.asmx?a=~1942062522;"),
                    new RequestOptions().setURI("/ecp/").putHeader("Cookie", "X-AnonResource-Backend=" + canaryHost + "/ecp/default.flt?~3"),
                    new RequestOptions().setURI("/ews/").putHeader("X-AnchorMailbox", "ServerInfo~" + canaryHost),
                    new RequestOptions().setURI("/owa/").putHeader("Cookie", "exgate-any=canary.AAAAAAAAAAAAAAAAAAAAAA"),
                    new RequestOptions().setURI("/autodiscover/autodiscover.json?@" + canaryHost + "/mapi/nspi/?&Email=autodiscover/autodiscover.json%3F@x"),
                    new RequestOptions().setURI("/autodiscover/autodiscover.json?@evil.com/owa/&Email=autodiscover/autodiscover.json%3f@evil.com"),
                    new RequestOptions().setURI("/owa/@" + canaryHost + "/"),
                    new RequestOptions().setURI("/owa/%40" + canaryHost),
                    new RequestOptions().setMethod(HttpMethod.valueOf("RPC_IN_DATA")).setURI("/rpc/rpcproxy.dll?127.0.0.1:" + canaryPort)
                            .putHeader("Content-Length", "0"));
            for (RequestOptions trick : tricks) {
                if (trick.getMethod() == null) {
                    trick.setMethod(HttpMethod.GET);
                }
                Lab.Fetched f = lab.fetch(trick, null);
                assertThat(f.status()).as(trick.getURI()).isIn(200, 400, 404, 405);
                if (f.status() == 200) {
                    assertThat(f.header("X-BEServer")).as(trick.getURI()).isEqualTo("EX1");
                }
            }
            Thread.sleep(500);
            assertThat(canaryConnections.get()).as("connections the canary received").isZero();
        }
    }
}
