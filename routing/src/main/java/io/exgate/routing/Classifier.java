package io.exgate.routing;

import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/** Tells which Exchange protocol and action a request is, from its method, normalised path and headers. */
public final class Classifier {
    private static final Map<String, String> MAPI_TYPES = canonical(
            "Connect", "Execute", "Disconnect", "NotificationWait", "PING", "Bind", "Unbind", "CompareMIds",
            "DNToMId", "GetMatches", "GetPropList", "GetProps", "GetSpecialTable", "GetTemplateInfo", "ModLinkAtt",
            "ModProps", "QueryColumns", "QueryRows", "ResolveNames", "ResortRestriction", "SeekEntries", "UpdateStat",
            "GetMailboxUrl", "GetAddressBookUrl");
    /** MS-RPCH echo requests announce at most this many bytes. */
    private static final long ECHO_MAX_LENGTH = 16;

    private Classifier() {
    }

    public static Classification classify(String method, NormalizedPath path, Function<String, String> header)
            throws BadRoutingInputException {
        VirtualDirectory vdir = VirtualDirectory.of(path)
                .orElseThrow(() -> new IllegalArgumentException("not under an Exchange virtual directory: " + path));
        return switch (vdir) {
            case MAPI -> mapi(path, header);
            case RPC -> rpc(method, header);
            case OWA -> new Classification(ExchangeProtocol.OWA, null);
            case EWS -> new Classification(ExchangeProtocol.EWS, null);
            case AUTODISCOVER -> new Classification(ExchangeProtocol.AUTODISCOVER, null);
            case ACTIVESYNC -> new Classification(ExchangeProtocol.ACTIVESYNC, null);
            case OAB -> new Classification(ExchangeProtocol.OAB, null);
            case ECP -> new Classification(ExchangeProtocol.ECP, null);
            case POWERSHELL -> new Classification(ExchangeProtocol.POWERSHELL, null);
        };
    }

    private static Classification mapi(NormalizedPath path, Function<String, String> header) throws BadRoutingInputException {
        String p = path.value();
        ExchangeProtocol protocol = under(p, "/mapi/emsmdb") ? ExchangeProtocol.MAPI_EMSMDB
                : under(p, "/mapi/nspi") ? ExchangeProtocol.MAPI_NSPI
                : ExchangeProtocol.MAPI;
        String type = header.apply("X-RequestType");
        if (type == null || protocol == ExchangeProtocol.MAPI) {
            return new Classification(protocol, null);
        }
        String t = type.trim();
        if (!isToken(t)) {
            throw new BadRoutingInputException("X-RequestType", "is not a request type name");
        }
        return new Classification(protocol, MAPI_TYPES.getOrDefault(t.toLowerCase(Locale.ROOT), t));
    }

    /** The path is {@code dir} or below it, in any case. */
    private static boolean under(String path, String dir) {
        return path.regionMatches(true, 0, dir, 0, dir.length()) && (path.length() == dir.length() || path.charAt(dir.length()) == '/');
    }

    /** {@code [A-Za-z][A-Za-z0-9_]{0,63}}, checked without a regex: this runs for every MAPI request. */
    static boolean isToken(String t) {
        if (t.isEmpty() || t.length() > 64 || !isLetter(t.charAt(0))) {
            return false;
        }
        for (int i = 1; i < t.length(); i++) {
            char c = t.charAt(i);
            if (!isLetter(c) && !(c >= '0' && c <= '9') && c != '_') {
                return false;
            }
        }
        return true;
    }

    private static boolean isLetter(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }

    private static Classification rpc(String method, Function<String, String> header) {
        if (!method.equals(Classification.RPC_IN) && !method.equals(Classification.RPC_OUT)) {
            return new Classification(ExchangeProtocol.RPC, null);
        }
        String length = header.apply("Content-Length");
        long announced;
        try {
            announced = length == null ? 0 : Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            announced = 0;
        }
        return new Classification(ExchangeProtocol.RPC, announced <= ECHO_MAX_LENGTH ? Classification.RPC_ECHO : method);
    }

    private static Map<String, String> canonical(String... names) {
        Map<String, String> m = new java.util.HashMap<>();
        for (String n : names) {
            m.put(n.toLowerCase(Locale.ROOT), n);
        }
        return Map.copyOf(m);
    }
}
