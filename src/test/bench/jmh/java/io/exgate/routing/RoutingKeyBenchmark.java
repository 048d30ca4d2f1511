package io.exgate.routing;

import io.exgate.bench.PerRequestBenchmark;
import io.exgate.routing.ExchangeTraffic.Request;
import io.exgate.routing.ExchangeTraffic.Shape;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * Routing-key parsing ({@link RoutingKeys#extract}) for each place Exchange clients put the key:
 * MAPI's MailboxId query parameter, the RPC endpoint (mailbox or server form), X-AnchorMailbox, and
 * ActiveSync's User parameter. Target and classification are precomputed: only the key is measured.
 */
public class RoutingKeyBenchmark extends PerRequestBenchmark {
    @Param({"MAPI_EXECUTE", "RPC_IN_MAILBOX", "RPC_OUT_SERVER", "EWS", "EAS_SYNC"})
    public String shape;

    private Request[] requests;
    private RequestTarget[] targets;
    private Classification[] classes;
    private int i;

    @Setup
    public void setUp() throws Exception {
        requests = ExchangeTraffic.requests(Shape.valueOf(shape));
        targets = new RequestTarget[requests.length];
        classes = new Classification[requests.length];
        for (int k = 0; k < requests.length; k++) {
            targets[k] = RequestTarget.parse(requests[k].target());
            classes[k] = Classifier.classify(requests[k].method(), targets[k].path(), requests[k].header());
            if (!RoutingKeys.extract(classes[k], targets[k], requests[k].header()).isPresent()) {
                throw new IllegalStateException(shape + " carries no routing key: the benchmark would measure nothing");
            }
        }
    }

    @Benchmark
    public RoutingKey extract() throws BadRoutingInputException {
        i = ExchangeTraffic.next(i);
        return RoutingKeys.extract(classes[i], targets[i], requests[i].header());
    }
}
