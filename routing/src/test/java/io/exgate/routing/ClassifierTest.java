package io.exgate.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ClassifierTest {
    private static Function<String, String> headers(Map<String, String> h) {
        return name -> h.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue)
                .findFirst().orElse(null);
    }

    private static Classification classify(String method, String path, Map<String, String> h) throws Exception {
        return Classifier.classify(method, RequestTarget.parse(path).path(), headers(h));
    }

    @ParameterizedTest(name = "{1} {0} -> {2}")
    @CsvSource({
        "/mapi/emsmdb/, Execute, MAPI_EMSMDB, Execute",
        "/MAPI/./emsmdb, execute, MAPI_EMSMDB, Execute",
        "/mapi//emsmdb/, NOTIFICATIONWAIT, MAPI_EMSMDB, NotificationWait",
        "/mapi/emsmdb/, ping, MAPI_EMSMDB, PING",
        "/mapi/nspi/, bind, MAPI_NSPI, Bind",
        "/mapi/nspi/, GetMatches, MAPI_NSPI, GetMatches",
        "/mapi/nspi/, SomeFutureCall, MAPI_NSPI, SomeFutureCall",
    })
    void mapiRequestsAreClassifiedByEndpointAndRequestType(String path, String type, ExchangeProtocol protocol, String action)
            throws Exception {
        Classification c = classify("POST", path, Map.of("X-RequestType", type));
        assertThat(c).isEqualTo(new Classification(protocol, action));
    }

    @Test
    void rpcChannelsAndEchoesAreTold() throws Exception {
        assertThat(classify("RPC_IN_DATA", "/rpc/rpcproxy.dll?a@b.c:6001", Map.of("Content-Length", "1073741824")).action())
                .isEqualTo("RPC_IN_DATA");
        assertThat(classify("RPC_OUT_DATA", "/rpc/rpcproxy.dll?a@b.c:6001", Map.of("Content-Length", "76")).action())
                .isEqualTo("RPC_OUT_DATA");
        assertThat(classify("RPC_IN_DATA", "/rpc/rpcproxy.dll?a@b.c:6001", Map.of("Content-Length", "0")).action())
                .isEqualTo("Echo");
        assertThat(classify("RPC_OUT_DATA", "/Rpc/RpcProxy.dll", Map.of()).action()).isEqualTo("Echo");
        assertThat(classify("GET", "/rpc/", Map.of()).action()).isNull();
    }

    @Test
    void everyOtherVirtualDirectoryIsItsOwnProtocol() throws Exception {
        assertThat(classify("GET", "/owa/", Map.of()).protocol()).isEqualTo(ExchangeProtocol.OWA);
        assertThat(classify("POST", "/EWS/Exchange.asmx", Map.of()).protocol()).isEqualTo(ExchangeProtocol.EWS);
        assertThat(classify("POST", "/Microsoft-Server-ActiveSync", Map.of()).protocol()).isEqualTo(ExchangeProtocol.ACTIVESYNC);
        assertThat(classify("GET", "/mapi/healthcheck.htm", Map.of()).protocol()).isEqualTo(ExchangeProtocol.MAPI);
    }

    @Test
    void aRequestTypeThatIsNotANameIsRefused() {
        assertThatThrownBy(() -> classify("POST", "/mapi/emsmdb/", Map.of("X-RequestType", "Execute; DROP")))
                .isInstanceOf(BadRoutingInputException.class).hasMessageStartingWith("X-RequestType");
    }
}
