package io.exgate.metrics;

import io.exgate.bench.PerRequestBenchmark;
import java.time.Instant;
import java.util.Random;
import java.util.UUID;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;

/**
 * One HttpProxy log line for a MAPI Execute, all 74 fields filled with values shaped like Exchange's
 * own lines (httpproxy-log.md): {@code buildRecord} and {@code formatRow} are what the request thread
 * pays (the builder and the record, then the CSV row encoded as UTF-8 in its reused buffer),
 * {@code copyRow} what the writer thread pays per line before the write itself (the row's bytes into
 * the file buffer). In package io.exgate.metrics because CsvLine is package-private there.
 */
public class LogLineBenchmark extends PerRequestBenchmark {
    private static final int POOL = 256;
    private static final HttpProxyField[] FIELDS = HttpProxyField.values();

    private String[][] values;
    private HttpProxyLogRecord[] records;
    private LineBytes[] rows;
    private final LineBytes line = new LineBytes(1024);
    private final FileBuffer buffer = new FileBuffer(64 * 1024);
    private int i;

    @Setup
    public void setUp() {
        Random rnd = new Random(8);
        values = new String[POOL][];
        records = new HttpProxyLogRecord[POOL];
        rows = new LineBytes[POOL];
        for (int k = 0; k < POOL; k++) {
            values[k] = mapiExecute(rnd, k);
            records[k] = build("Mapi", values[k]);
            rows[k] = CsvLine.appendRow(records[k], new LineBytes(1024));
        }
    }

    /** Every field set, as a request does it when it ends, then the immutable record. */
    @Benchmark
    public HttpProxyLogRecord buildRecord() {
        i = (i + 1) & (POOL - 1);
        return build("Mapi", values[i]);
    }

    /** A record's CSV row, encoded as UTF-8 (done by the request thread that logs it). */
    @Benchmark
    public LineBytes formatRow() {
        i = (i + 1) & (POOL - 1);
        line.clear();
        return CsvLine.appendRow(records[i], line);
    }

    /** An encoded row into the file buffer. */
    @Benchmark
    public int copyRow() {
        i = (i + 1) & (POOL - 1);
        if (buffer.size() > 60 * 1024) {
            buffer.clear();
        }
        return buffer.put(rows[i].array(), 0, rows[i].size());
    }

    private static HttpProxyLogRecord build(String folder, String[] v) {
        HttpProxyLogRecord.Builder b = HttpProxyLogRecord.builder(folder);
        for (int f = 0; f < FIELDS.length; f++) {
            b.set(FIELDS[f], v[f]);
        }
        return b.build();
    }

    /** The values of one MAPI Execute line, by field ordinal. */
    private static String[] mapiExecute(Random rnd, int k) {
        String[] v = new String[FIELDS.length];
        Instant end = Instant.parse("2023-01-09T19:00:00.130Z").plusMillis(k * 37L + rnd.nextInt(30));
        String mailbox = guid(rnd) + "@contoso.com";
        String backend = String.format("mbx%02d", 1 + k % 10);
        int total = 3 + rnd.nextInt(400);
        put(v, HttpProxyField.DateTime, end.toString());
        put(v, HttpProxyField.RequestId, guid(rnd));
        put(v, HttpProxyField.MajorVersion, "0");
        put(v, HttpProxyField.MinorVersion, "1");
        put(v, HttpProxyField.BuildVersion, "0");
        put(v, HttpProxyField.RevisionVersion, "0");
        put(v, HttpProxyField.ClientRequestId, "R:{" + guid(rnd).toUpperCase() + "}:" + (1 + rnd.nextInt(5000))
                + ";CI:{" + guid(rnd).toUpperCase() + "}:" + (1 + rnd.nextInt(50)) + ";RT:Execute");
        put(v, HttpProxyField.Protocol, "Mapi");
        put(v, HttpProxyField.UrlHost, "mail.contoso.com");
        put(v, HttpProxyField.UrlStem, "/mapi/emsmdb/");
        put(v, HttpProxyField.ProtocolAction, "Execute");
        put(v, HttpProxyField.AuthenticationType, "Negotiate");
        put(v, HttpProxyField.IsAuthenticated, "true");
        put(v, HttpProxyField.AuthenticatedUser, "CONTOSO\\user" + k);
        put(v, HttpProxyField.Organization, "contoso.com");
        put(v, HttpProxyField.AnchorMailbox, "MailboxId~" + mailbox);
        put(v, HttpProxyField.UserAgent, "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17328; Pro)");
        put(v, HttpProxyField.ClientIpAddress, "95.1." + rnd.nextInt(256) + "." + rnd.nextInt(256));
        put(v, HttpProxyField.ServerHostName, "EXGATE01");
        put(v, HttpProxyField.HttpStatus, "200");
        put(v, HttpProxyField.BackEndStatus, "200");
        put(v, HttpProxyField.ErrorCode, "");
        put(v, HttpProxyField.Method, "POST");
        put(v, HttpProxyField.ProxyAction, "Proxy");
        put(v, HttpProxyField.TargetServer, backend + ".corp.contoso.com");
        put(v, HttpProxyField.TargetServerVersion, "15.02.1544.004");
        put(v, HttpProxyField.RoutingType, "AffinityCookie");
        put(v, HttpProxyField.RoutingHint, "MailboxId");
        put(v, HttpProxyField.BackEndCookie, backend);
        put(v, HttpProxyField.ServerLocatorHost, backend + ".corp.contoso.com");
        put(v, HttpProxyField.ServerLocatorLatency, "0");
        put(v, HttpProxyField.RequestBytes, Integer.toString(600 + rnd.nextInt(2000)));
        put(v, HttpProxyField.ResponseBytes, Integer.toString(300 + rnd.nextInt(20000)));
        put(v, HttpProxyField.TargetOutstandingRequests, Integer.toString(rnd.nextInt(40)));
        put(v, HttpProxyField.AuthModulePerfContext, "EDTC=0;UGTC=" + rnd.nextInt(3) + ";");
        put(v, HttpProxyField.GlsLatencyBreakup, "");
        put(v, HttpProxyField.AccountForestLatencyBreakup, "");
        put(v, HttpProxyField.ResourceForestLatencyBreakup, "");
        put(v, HttpProxyField.SharedCacheLatencyBreakup, "");
        put(v, HttpProxyField.UrlQuery, "?MailboxId=" + mailbox);
        put(v, HttpProxyField.BackEndGenericInfo, "");
        put(v, HttpProxyField.GenericInfo, "BeginRequest=" + end.minusMillis(total) + ";ProxyState-Run=None;"
                + "BeginGetResponse=" + end.minusMillis(total - 1) + ";OnResponseReady=" + end.minusMillis(1)
                + ";EndRequest=" + end + ";");
        put(v, HttpProxyField.GenericErrors, "");
        put(v, HttpProxyField.EdgeTraceId, "");
        put(v, HttpProxyField.DatabaseGuid, guid(rnd));
        put(v, HttpProxyField.UserADObjectGuid, guid(rnd));
        put(v, HttpProxyField.RoutingStatus, "CafeV1");
        // The rest are latencies in milliseconds, mostly 0 or small, TotalRequestTime the largest.
        for (int f = 0; f < v.length; f++) {
            if (v[f] == null) {
                v[f] = Integer.toString(rnd.nextInt(4));
            }
        }
        put(v, HttpProxyField.BackendProcessingLatency, Integer.toString(total - 2));
        put(v, HttpProxyField.TotalRequestTime, Integer.toString(total));
        return v;
    }

    private static void put(String[] v, HttpProxyField f, String value) {
        v[f.ordinal()] = value;
    }

    private static String guid(Random rnd) {
        return new UUID(rnd.nextLong(), rnd.nextLong()).toString();
    }
}
