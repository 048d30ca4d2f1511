package io.exgate.routing;

import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;

/**
 * Request shapes as Exchange clients send them (MS-OXCMAPIHTTP, MS-RPCH, EWS, OWA, ActiveSync,
 * Autodiscover), each in {@link #POOL} variants that differ the way real traffic does: another
 * mailbox GUID, user, request id. Benchmarks walk through the variants so that the JIT cannot fold
 * one constant input and no per-string cache (such as {@code String.hash}) makes every call the same.
 */
final class ExchangeTraffic {
    /** Variants per shape; a power of two so that {@link #next} is a mask. */
    static final int POOL = 256;

    private static final String OUTLOOK_UA = "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17328; Pro)";
    private static final String[] NAMES = {"adele.vance", "alex.wilber", "megan.bowen", "lee.gu", "nestor.wilke",
        "patti.fernandez", "pradeep.gupta", "lidia.holloway", "joni.sherman", "isaiah.langer", "grady.archie",
        "diego.siciliani", "johanna.lorenz", "lynne.robbins", "miriam.graham", "henrietta.mueller"};

    private ExchangeTraffic() {
    }

    /** The shapes; the routing key each carries is noted where Exchange routes on one. */
    enum Shape {
        /** MAPI over HTTP Execute: POST /mapi/emsmdb/?MailboxId=&lt;guid&gt;@&lt;domain&gt;, the bulk of Outlook's traffic. */
        MAPI_EXECUTE,
        /** RPC over HTTP IN channel naming a mailbox (Exchange 2013+): ?&lt;guid&gt;@&lt;domain&gt;:6001, 1 GiB announced. */
        RPC_IN_MAILBOX,
        /** RPC over HTTP OUT channel naming a server: ?mbx01.contoso.com:6001 (first RTS packet as body). */
        RPC_OUT_SERVER,
        /** EWS SOAP call with X-AnchorMailbox, as Outlook and Teams send it; the path in IIS's mixed case. */
        EWS,
        /** OWA's service.svc action: no routing key (OWA routes on its logon cookie). */
        OWA,
        /** ActiveSync Sync from a phone: the User query parameter, percent-encoded UPN. */
        EAS_SYNC,
        /** Outlook's Autodiscover POX request with X-AnchorMailbox. */
        AUTODISCOVER
    }

    /** One request as the router sees it: method, raw target, a header lookup, a cookie lookup. */
    record Request(String method, String target, Function<String, String> header, Function<String, String> cookie) {
        Request withCookie(Function<String, String> c) {
            return new Request(method, target, header, c);
        }
    }

    /** The next index in a pool of {@link #POOL}. */
    static int next(int i) {
        return (i + 1) & (POOL - 1);
    }

    /** {@link #POOL} variants of a shape, the same on every run (fixed seed). */
    static Request[] requests(Shape shape) {
        Random rnd = new Random(8);
        Request[] out = new Request[POOL];
        for (int i = 0; i < POOL; i++) {
            out[i] = request(shape, i, rnd);
        }
        return out;
    }

    private static Request request(Shape shape, int i, Random rnd) {
        String guid = guid(rnd);
        String domain = i % 4 == 3 ? "fabrikam.com" : "contoso.com";
        String user = NAMES[i % NAMES.length] + (i < NAMES.length ? "" : Integer.toString(i / NAMES.length));
        String smtp = user + "@" + domain;
        Map<String, String> h = headers();
        h.put("Host", "mail." + domain);
        switch (shape) {
            case MAPI_EXECUTE -> {
                h.put("Content-Type", "application/mapi-http");
                h.put("X-RequestType", "Execute");
                h.put("X-RequestId", "{" + guid(rnd).toUpperCase() + "}:" + (1 + rnd.nextInt(5000)));
                h.put("X-ClientInfo", "{" + guid(rnd).toUpperCase() + "}:" + (1 + rnd.nextInt(50)));
                h.put("X-ClientApplication", "Outlook/16.0.17328.20184");
                h.put("User-Agent", OUTLOOK_UA);
                h.put("Content-Length", Integer.toString(600 + rnd.nextInt(2000)));
                return new Request("POST", "/mapi/emsmdb/?MailboxId=" + guid + "@" + domain, lookup(h), noCookies());
            }
            case RPC_IN_MAILBOX -> {
                h.put("User-Agent", "MSRPC");
                h.put("Content-Length", "1073741824");
                return new Request("RPC_IN_DATA", "/rpc/rpcproxy.dll?" + guid + "@" + domain + ":6001", lookup(h), noCookies());
            }
            case RPC_OUT_SERVER -> {
                h.put("User-Agent", "MSRPC");
                h.put("Content-Length", "76");
                String server = String.format("mbx%02d.%s", 1 + i % 10, domain);
                return new Request("RPC_OUT_DATA", "/rpc/rpcproxy.dll?" + server + ":6001", lookup(h), noCookies());
            }
            case EWS -> {
                h.put("Content-Type", "text/xml; charset=utf-8");
                h.put("SOAPAction", "\"http://schemas.microsoft.com/exchange/services/2006/messages/GetItem\"");
                h.put("X-AnchorMailbox", smtp);
                h.put("User-Agent", OUTLOOK_UA);
                return new Request("POST", "/EWS/Exchange.asmx", lookup(h), noCookies());
            }
            case OWA -> {
                h.put("Action", "FindItem");
                h.put("Content-Type", "application/json; charset=utf-8");
                h.put("User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
                        + " Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0");
                return new Request("POST", "/owa/service.svc?action=FindItem&EP=1&ID=-" + (20 + i % 40) + "&AC=1",
                        lookup(h), noCookies());
            }
            case EAS_SYNC -> {
                h.put("Content-Type", "application/vnd.ms-sync.wbxml");
                h.put("MS-ASProtocolVersion", "16.1");
                h.put("User-Agent", "Apple-iPhone14C2/2101.111");
                String device = String.format("%016X", rnd.nextLong()).substring(0, 14);
                return new Request("POST", "/Microsoft-Server-ActiveSync?Cmd=Sync&User=" + user + "%40" + domain
                        + "&DeviceId=Appl" + device + "&DeviceType=iPhone", lookup(h), noCookies());
            }
            case AUTODISCOVER -> {
                h.put("Content-Type", "text/xml");
                h.put("X-MapiHttpCapability", "1");
                h.put("X-AnchorMailbox", smtp);
                h.put("User-Agent", OUTLOOK_UA);
                return new Request("POST", "/autodiscover/autodiscover.xml", lookup(h), noCookies());
            }
            default -> throw new IllegalArgumentException(shape.name());
        }
    }

    /** A lowercase GUID, as Outlook writes mailbox GUIDs in MailboxId and RPC endpoints. */
    static String guid(Random rnd) {
        return new UUID(rnd.nextLong(), rnd.nextLong()).toString();
    }

    /** Case-insensitive, allocation-free lookup, as Vert.x's header map is: the lookup must not skew B/op. */
    private static Map<String, String> headers() {
        return new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    }

    private static Function<String, String> lookup(Map<String, String> m) {
        return m::get;
    }

    private static Function<String, String> noCookies() {
        return name -> null;
    }
}
