package io.exgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Both channels of an RPC over HTTP virtual connection meet on one server, twenty at once over three. */
class RpcVirtualConnectionTest {
    private static final int PAYLOAD = 256 * 1024;

    @TempDir
    Path dir;

    @Test
    void twentyVirtualConnectionsAtOnceEachMeetOnOneOfThreeBackends() throws Exception {
        try (Lab lab = new Lab(dir)) {
            List<String> urls = new ArrayList<>();
            for (String name : List.of("EX1", "EX2", "EX3")) {
                urls.add(new RpcPairingBackend(name).start(lab.vertx));
            }
            lab.startExgate(urls);
            HttpClient client = lab.client();
            Set<String> servers = ConcurrentHashMap.newKeySet();
            List<Future<Void>> connections = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                connections.add(virtualConnection(client, "/rpc/rpcproxy.dll?" + UUID.randomUUID() + "@contoso.com:6001", servers));
            }
            Future.all(connections).await(120, TimeUnit.SECONDS);
            assertThat(servers).hasSizeGreaterThanOrEqualTo(2);
        }
    }

    private static Future<Void> virtualConnection(HttpClient client, String uri, Set<String> servers) {
        return virtualConnection(client, client, uri, servers);
    }

    /** OUT first (through {@code outClient}), then IN (through {@code inClient}); IN's bytes must come back on OUT. */
    static Future<Void> virtualConnection(HttpClient outClient, HttpClient inClient, String uri, Set<String> servers) {
        byte[] cookie = new byte[16];
        ThreadLocalRandom.current().nextBytes(cookie);
        byte[] payload = new byte[PAYLOAD];
        ThreadLocalRandom.current().nextBytes(payload);
        Promise<Void> done = Promise.promise();
        outClient.request(HttpMethod.valueOf("RPC_OUT_DATA"), uri).onFailure(done::tryFail).onSuccess(out -> {
            out.putHeader("Content-Length", String.valueOf(RpcPairingBackend.FIRST_PACKET));
            out.send(RpcPairingBackend.firstPacket(cookie)).onFailure(done::tryFail).onSuccess(outResponse -> {
                servers.add(outResponse.getHeader("X-BEServer"));
                assertThat(outResponse.getHeader("Content-Length")).isEqualTo(String.valueOf(RpcPairingBackend.ANNOUNCED));
                Buffer received = Buffer.buffer();
                outResponse.handler(b -> {
                    received.appendBuffer(b);
                    if (received.length() >= PAYLOAD) {
                        if (received.equals(Buffer.buffer(payload))) {
                            done.tryComplete();
                        } else {
                            done.tryFail("the OUT channel returned other bytes than the IN channel sent");
                        }
                        outResponse.request().connection().close();
                    }
                });
                inClient.request(HttpMethod.valueOf("RPC_IN_DATA"), uri).onFailure(done::tryFail).onSuccess(in -> {
                    in.putHeader("Content-Length", String.valueOf(RpcPairingBackend.ANNOUNCED));
                    in.response().onSuccess(r -> done.tryFail("IN channel answered " + r.statusCode() + " on " + r.getHeader("X-BEServer")));
                    in.write(RpcPairingBackend.firstPacket(cookie));
                    in.write(Buffer.buffer(payload)).onFailure(done::tryFail);
                    done.future().onComplete(v -> in.connection().close());
                });
            });
        });
        return done.future();
    }
}
