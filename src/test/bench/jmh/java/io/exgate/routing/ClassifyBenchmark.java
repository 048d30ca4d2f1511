package io.exgate.routing;

import io.exgate.bench.PerRequestBenchmark;
import io.exgate.routing.ExchangeTraffic.Request;
import io.exgate.routing.ExchangeTraffic.Shape;
import java.util.Optional;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What every request pays before routing: the request target normalised ({@link RequestTarget#parse}),
 * its virtual directory found, and the request classified ({@link Classifier#classify}), as
 * FrontendHandler and MailboxRouter do it. Public because JMH's generated code subclasses it.
 */
public class ClassifyBenchmark extends PerRequestBenchmark {
    @Param({"MAPI_EXECUTE", "RPC_OUT_SERVER", "EWS", "OWA", "EAS_SYNC", "AUTODISCOVER"})
    public String shape;

    private Request[] requests;
    private RequestTarget[] targets;
    private int i;

    @Setup
    public void setUp() throws BadRequestTargetException {
        requests = ExchangeTraffic.requests(Shape.valueOf(shape));
        targets = new RequestTarget[requests.length];
        for (int k = 0; k < requests.length; k++) {
            targets[k] = RequestTarget.parse(requests[k].target());
        }
    }

    /** Normalisation alone: percent-decoding, dot segments, the query split off. */
    @Benchmark
    public RequestTarget parseTarget() throws BadRequestTargetException {
        i = ExchangeTraffic.next(i);
        return RequestTarget.parse(requests[i].target());
    }

    /** Classification alone, on an already normalised path (reads X-RequestType or Content-Length). */
    @Benchmark
    public Classification classify() throws BadRoutingInputException {
        i = ExchangeTraffic.next(i);
        Request r = requests[i];
        return Classifier.classify(r.method(), targets[i].path(), r.header());
    }

    /** The whole step as a request takes it: parse, the handler's virtual-directory check, classify. */
    @Benchmark
    public Classification parseAndClassify(Blackhole bh) throws BadRequestTargetException, BadRoutingInputException {
        i = ExchangeTraffic.next(i);
        Request r = requests[i];
        RequestTarget t = RequestTarget.parse(r.target());
        Optional<VirtualDirectory> vdir = VirtualDirectory.of(t.path());
        bh.consume(vdir);
        return Classifier.classify(r.method(), t.path(), r.header());
    }
}
