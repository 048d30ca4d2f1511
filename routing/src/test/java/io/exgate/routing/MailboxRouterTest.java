package io.exgate.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class MailboxRouterTest {
    static final Backend EX1 = new Backend("ex1", "http", "ex1.corp.contoso.com", 80);
    static final Backend EX2 = new Backend("ex2", "http", "ex2.corp.contoso.com", 80);
    static final Backend EX3 = new Backend("ex3", "http", "10.0.0.3", 80);
    static final List<Backend> ALL = List.of(EX1, EX2, EX3);
    static final AffinityCookie COOKIES = new AffinityCookie("test-secret-0123456789".getBytes(StandardCharsets.UTF_8));

    final AtomicLong clock = new AtomicLong();
    final Map<String, String> jar = new HashMap<>();

    MailboxRouter router(List<Backend> backends, BackendHealth health, MailboxMap map) {
        return new MailboxRouter(Routes.uniform(backends), COOKIES, () -> map, new StickyTable(1000, 3_600_000, clock::get),
                health, new OutstandingRequests());
    }

    RoutingDecision route(MailboxRouter r, String method, String target, Map<String, String> headers) throws Exception {
        Function<String, String> h = n -> headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(n))
                .map(Map.Entry::getValue).findFirst().orElse(null);
        RoutingDecision d = r.route(method, RequestTarget.parse(target), h, jar::get);
        if (d.setCookie() != null) {
            String[] nv = d.setCookie().split("=", 2);
            jar.put(nv[0], nv[1]);
        }
        return d;
    }

    @Test
    void aMapiSessionStaysPutWhenABackendIsAdded() throws Exception {
        String mailbox = "/mapi/emsmdb/?MailboxId=5e8d6a2c-0b9a-4e27-9c9e-2f1d9a6b7c31@contoso.com";
        RoutingDecision connect = route(router(ALL, BackendHealth.ALL_UP, MailboxMap.EMPTY), "POST", mailbox,
                Map.of("X-RequestType", "Connect"));
        assertThat(connect.reason()).isEqualTo(RoutingDecision.Reason.HASH);
        assertThat(connect.setCookie()).startsWith(AffinityCookie.nameFor(connect.key()) + "=" + connect.backend().name() + ".");
        // Another replica, or this one after ex4 joined: the signed cookie keeps the session where it is.
        Backend ex4 = new Backend("ex4", "http", "ex4", 80);
        MailboxRouter grown = router(List.of(EX1, EX2, EX3, ex4), BackendHealth.ALL_UP, MailboxMap.EMPTY);
        for (int i = 0; i < 20; i++) {
            RoutingDecision execute = route(grown, "POST", mailbox, Map.of("X-RequestType", "Execute"));
            assertThat(execute.backend()).isEqualTo(connect.backend());
            assertThat(execute.reason()).isEqualTo(RoutingDecision.Reason.COOKIE);
        }
    }

    @Test
    void aForgedCookieIsIgnoredAndReported() throws Exception {
        MailboxRouter r = router(ALL, BackendHealth.ALL_UP, MailboxMap.EMPTY);
        RoutingDecision first = route(r, "GET", "/owa/", Map.of());
        String name = AffinityCookie.nameFor(RoutingKey.NONE);
        jar.put(name, "ex3.AAAAAAAAAAAAAAAAAAAAAA");
        RoutingDecision forged = route(r, "GET", "/owa/", Map.of());
        assertThat(forged.rejectedCookie()).isTrue();
        assertThat(forged.reason()).isEqualTo(RoutingDecision.Reason.LEAST_OUTSTANDING);
        assertThat(first.rejectedCookie()).isFalse();
    }

    @Test
    void anRpcEndpointNamingAConfiguredServerGoesThereAndAnUnknownNameIsOnlyHashed() throws Exception {
        MailboxRouter r = router(ALL, BackendHealth.ALL_UP, MailboxMap.EMPTY);
        assertThat(route(r, "RPC_IN_DATA", "/rpc/rpcproxy.dll?EX2:6001", Map.of("Content-Length", "1073741824")).backend())
                .isEqualTo(EX2);
        assertThat(route(r, "RPC_IN_DATA", "/rpc/rpcproxy.dll?ex2.corp.contoso.com:6004", Map.of()).backend()).isEqualTo(EX2);
        RoutingDecision unknown = route(r, "RPC_IN_DATA", "/rpc/rpcproxy.dll?evil.example.net:6001", Map.of());
        assertThat(ALL).contains(unknown.backend());
        assertThat(unknown.reason()).isEqualTo(RoutingDecision.Reason.HASH);
    }

    @Test
    void bothChannelsOfAnRpcConnectionMeetOnOneBackendWithoutCookies() throws Exception {
        MailboxRouter r = router(ALL, BackendHealth.ALL_UP, MailboxMap.EMPTY);
        for (int i = 0; i < 50; i++) {
            String endpoint = "/rpc/rpcproxy.dll?" + java.util.UUID.randomUUID() + "@contoso.com:6001";
            RoutingDecision out = r.route("RPC_OUT_DATA", RequestTarget.parse(endpoint), n -> null, n -> null);
            RoutingDecision in = r.route("RPC_IN_DATA", RequestTarget.parse(endpoint), n -> null, n -> null);
            assertThat(in.backend()).isEqualTo(out.backend());
        }
    }

    @Test
    void theMailboxMapWinsOverHashingAndUnavailableBackendsAreSkipped() throws Exception {
        MailboxMap map = MailboxMap.parse("map", "contoso.com,ex3\n", java.util.Set.of("ex1", "ex2", "ex3"));
        MailboxRouter r = router(ALL, BackendHealth.ALL_UP, map);
        RoutingDecision d = route(r, "POST", "/ews/Exchange.asmx", Map.of("X-AnchorMailbox", "alice@contoso.com"));
        assertThat(d.backend()).isEqualTo(EX3);
        assertThat(d.reason()).isEqualTo(RoutingDecision.Reason.MAILBOX_MAP);
        jar.clear();
        MailboxRouter ex3Down = router(ALL, (b, p) -> !b.equals(EX3), map);
        assertThat(route(ex3Down, "POST", "/ews/Exchange.asmx", Map.of("X-AnchorMailbox", "alice@contoso.com")).backend())
                .isNotEqualTo(EX3);
        MailboxRouter allDown = router(ALL, (b, p) -> false, map);
        assertThatThrownBy(() -> route(allDown, "GET", "/owa/", Map.of())).isInstanceOf(NoBackendAvailableException.class);
    }

    @Test
    void aRetryTakesTheNextBackendInHashOrderOnce() throws Exception {
        MailboxRouter r = router(ALL, BackendHealth.ALL_UP, MailboxMap.EMPTY);
        RoutingDecision d = route(r, "POST", "/mapi/emsmdb/?MailboxId=x@contoso.com", Map.of());
        List<Backend> rank = RendezvousHash.rank("x@contoso.com", Routes.uniform(ALL).forDirectory(VirtualDirectory.MAPI));
        assertThat(d.backend()).isEqualTo(rank.get(0));
        RoutingDecision retry = r.retry(d).orElseThrow();
        assertThat(retry.backend()).isEqualTo(rank.get(1));
        assertThat(retry.reason()).isEqualTo(RoutingDecision.Reason.RETRY);
        assertThat(retry.setCookie()).contains("=" + rank.get(1).name() + ".");
        assertThat(r.retry(retry)).isEmpty();
    }

    @Test
    void keylessRequestsGoToTheLeastBusyBackend() throws Exception {
        MailboxRouter r = router(ALL, BackendHealth.ALL_UP, MailboxMap.EMPTY);
        r.outstanding().started(EX1);
        r.outstanding().started(EX1);
        r.outstanding().started(EX3);
        assertThat(r.route("GET", RequestTarget.parse("/oab/x.xml"), n -> null, n -> null).backend()).isEqualTo(EX2);
    }

    @Test
    void stickyEntriesExpireAfterTheirIdleTime() {
        StickyTable t = new StickyTable(10, 1000, clock::get);
        RoutingKey k = new RoutingKey(RoutingKey.Kind.RPC_MAILBOX, "a@b.c");
        t.put(k, "ex1");
        clock.addAndGet(999_000_000L);
        assertThat(t.get(k)).contains("ex1");
        clock.addAndGet(2_000_000_000L);
        assertThat(t.get(k)).isEmpty();
        for (int i = 0; i < 50; i++) {
            t.put(new RoutingKey(RoutingKey.Kind.RPC_MAILBOX, i + "@b.c"), "ex1");
        }
        assertThat(t.size()).isLessThanOrEqualTo(10);
    }

    @Test
    void aDrainingBackendKeepsItsSessionsButTakesNoNewOnes() throws Exception {
        String mailbox = "/mapi/emsmdb/?MailboxId=5e8d6a2c-0b9a-4e27-9c9e-2f1d9a6b7c31@contoso.com";
        RoutingDecision placed = route(router(ALL, BackendHealth.ALL_UP, MailboxMap.EMPTY), "POST", mailbox, Map.of());
        Backend home = placed.backend();
        BackendHealth draining = new BackendHealth() {
            @Override
            public boolean isAvailable(Backend b, ExchangeProtocol p) {
                return true;
            }

            @Override
            public boolean acceptsNewSessions(Backend b, ExchangeProtocol p) {
                return !b.equals(home);
            }
        };
        MailboxRouter r = router(ALL, draining, MailboxMap.EMPTY);
        assertThat(route(r, "POST", mailbox, Map.of("X-RequestType", "Execute")).backend()).as("the open session stays")
                .isEqualTo(home);
        jar.clear();
        assertThat(route(r, "POST", mailbox, Map.of("X-RequestType", "Execute")).backend())
                .as("without its cookie, this instance still remembers the session").isEqualTo(home);
        assertThat(route(r, "POST", mailbox, Map.of("X-RequestType", "Connect")).backend()).as("a new session goes elsewhere")
                .isNotEqualTo(home);
    }
}
