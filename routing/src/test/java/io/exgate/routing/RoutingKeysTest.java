package io.exgate.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RoutingKeysTest {
    private static RoutingKey key(String method, String target, Map<String, String> headers) throws Exception {
        RequestTarget t = RequestTarget.parse(target);
        java.util.function.Function<String, String> h = n -> headers.entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase(n)).map(Map.Entry::getValue).findFirst().orElse(null);
        return RoutingKeys.extract(Classifier.classify(method, t.path(), h), t, h);
    }

    @Test
    void mailboxIdComesFirstForMapi() throws Exception {
        RoutingKey k = key("POST", "/mapi/emsmdb/?MailboxId=5E8D6A2C-0B9A-4E27-9C9E-2F1D9A6B7C31@Contoso.com",
                Map.of("X-AnchorMailbox", "someone@contoso.com", "X-RequestType", "Execute"));
        assertThat(k).isEqualTo(new RoutingKey(RoutingKey.Kind.MAILBOX_ID, "5e8d6a2c-0b9a-4e27-9c9e-2f1d9a6b7c31@contoso.com"));
        assertThat(key("POST", "/mapi/nspi/?mailboxid=a%40b.com", Map.of()).value()).isEqualTo("a@b.com");
    }

    @Test
    void theRpcEndpointNamesAMailboxOrAServer() throws Exception {
        assertThat(key("RPC_IN_DATA", "/rpc/rpcproxy.dll?5e8d6a2c-0b9a-4e27-9c9e-2f1d9a6b7c31@contoso.com:6001", Map.of()))
                .isEqualTo(new RoutingKey(RoutingKey.Kind.RPC_MAILBOX, "5e8d6a2c-0b9a-4e27-9c9e-2f1d9a6b7c31@contoso.com"));
        assertThat(key("RPC_OUT_DATA", "/rpc/rpcproxy.dll?EX2.corp.contoso.com:6004", Map.of()))
                .isEqualTo(new RoutingKey(RoutingKey.Kind.RPC_SERVER, "ex2.corp.contoso.com"));
    }

    @Test
    void theAnchorHeaderAndTheActiveSyncUserFollow() throws Exception {
        assertThat(key("POST", "/EWS/Exchange.asmx", Map.of("X-AnchorMailbox", "SMTP:Alice@Contoso.com")))
                .isEqualTo(new RoutingKey(RoutingKey.Kind.ANCHOR_MAILBOX, "alice@contoso.com"));
        assertThat(key("POST", "/Microsoft-Server-ActiveSync?Cmd=Sync&User=bob%40contoso.com&DeviceId=x", Map.of()))
                .isEqualTo(new RoutingKey(RoutingKey.Kind.ACTIVESYNC_USER, "bob@contoso.com"));
        assertThat(key("GET", "/owa/", Map.of())).isEqualTo(RoutingKey.NONE);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "/mapi/emsmdb/?MailboxId=%ff%fe@x.com",
        "/mapi/emsmdb/?MailboxId=a%0d%0aX-Injected:%201",
        "/mapi/emsmdb/?MailboxId=a%zz",
        "/rpc/rpcproxy.dll?no-port-here",
        "/rpc/rpcproxy.dll?a%00b:6001",
        "/rpc/rpcproxy.dll?a/b:6001",
    })
    void malformedKeysAreRefusedNamingTheField(String target) {
        assertThatThrownBy(() -> key(target.startsWith("/rpc") ? "RPC_IN_DATA" : "POST", target, Map.of()))
                .isInstanceOf(BadRoutingInputException.class);
    }

    @Test
    void oversizedValuesAreRefused() {
        String big = "a".repeat(1100) + "@contoso.com";
        assertThatThrownBy(() -> key("POST", "/mapi/emsmdb/?MailboxId=" + big, Map.of()))
                .hasMessage("MailboxId is longer than 1024 bytes");
        assertThatThrownBy(() -> key("GET", "/ews/", Map.of("X-AnchorMailbox", big)))
                .hasMessage("X-AnchorMailbox is longer than 1024 bytes");
        assertThatThrownBy(() -> key("RPC_IN_DATA", "/rpc/rpcproxy.dll?" + big + ":6001", Map.of()))
                .hasMessage("RPC endpoint is longer than 1024 bytes");
    }
}
