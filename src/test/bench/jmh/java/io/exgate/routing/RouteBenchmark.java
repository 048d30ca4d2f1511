package io.exgate.routing;

import io.exgate.bench.PerRequestBenchmark;
import io.exgate.routing.ExchangeTraffic.Request;
import io.exgate.routing.ExchangeTraffic.Shape;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * The pieces together: one {@link MailboxRouter#route} decision over 10 backends, as FrontendHandler
 * asks for it after parsing the target. Each shape takes a different path through the router:
 * MAPI_EXECUTE returns its signed cookie (verify, then rank for fallbacks, sticky update), EWS is a
 * first request without one (hash, sign a new cookie), RPC_IN_MAILBOX returns no cookie (sticky
 * table hit), OWA has no key (least outstanding, a keyless cookie).
 */
public class RouteBenchmark extends PerRequestBenchmark {
    @Param({"MAPI_EXECUTE", "EWS", "RPC_IN_MAILBOX", "OWA"})
    public String shape;

    private MailboxRouter router;
    private Request[] requests;
    private RequestTarget[] targets;
    private int i;

    @Setup
    public void setUp() throws Exception {
        List<Backend> backends = new ArrayList<>();
        for (int k = 1; k <= 10; k++) {
            String name = String.format("mbx%02d", k);
            backends.add(new Backend(name, "https", name + ".corp.contoso.com", 444));
        }
        router = new MailboxRouter(Routes.uniform(backends),
                new AffinityCookie("bench-secret-0123456789abcdef".getBytes(StandardCharsets.UTF_8)),
                () -> MailboxMap.EMPTY, new StickyTable(100_000, 3_600_000, System::nanoTime), BackendHealth.ALL_UP,
                new OutstandingRequests());
        Shape s = Shape.valueOf(shape);
        requests = ExchangeTraffic.requests(s);
        targets = new RequestTarget[requests.length];
        for (int k = 0; k < requests.length; k++) {
            Request r = requests[k];
            targets[k] = RequestTarget.parse(r.target());
            // The session's first request: places the key (sticky table) and yields the cookie a client returns.
            RoutingDecision first = router.route(r.method(), targets[k], r.header(), r.cookie());
            if (s == Shape.MAPI_EXECUTE) {
                String[] nv = first.setCookie().split("=", 2);
                requests[k] = r.withCookie(Map.of(nv[0], nv[1])::get);
            }
        }
    }

    @Benchmark
    public RoutingDecision route() throws BadRoutingInputException, NoBackendAvailableException {
        i = ExchangeTraffic.next(i);
        Request r = requests[i];
        return router.route(r.method(), targets[i], r.header(), r.cookie());
    }
}
