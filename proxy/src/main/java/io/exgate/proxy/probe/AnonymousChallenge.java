package io.exgate.proxy.probe;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.UUID;

/**
 * The protocol endpoints Outlook uses, asked without credentials: a MAPI over HTTP Connect and an
 * RPC over HTTP echo-sized RPC_IN_DATA. A working endpoint answers 401 and names the schemes it accepts.
 */
final class AnonymousChallenge {
    private AnonymousChallenge() {
    }

    static ChallengeResult mapi(FrontDoor door, InetSocketAddress address) {
        String id = UUID.randomUUID().toString();
        WireRequest request = WireRequest.of("POST", "/mapi/emsmdb/")
                .header("Content-Type", "application/mapi-http")
                .header("X-RequestType", "Connect")
                .header("X-RequestId", "{" + id + "}:1")
                .header("X-ClientInfo", "{" + id + "}")
                .header("X-ClientApplication", WireRequest.USER_AGENT)
                .header("Content-Length", "0");
        return ask(door, address, "MAPI", request);
    }

    static ChallengeResult rpc(FrontDoor door, InetSocketAddress address) {
        WireRequest request = WireRequest.of("RPC_IN_DATA", "/rpc/rpcproxy.dll")
                .header("Accept", "application/rpc")
                .header("Content-Length", "0");
        return ask(door, address, "RPC", request);
    }

    private static ChallengeResult ask(FrontDoor door, InetSocketAddress address, String name, WireRequest request) {
        Answer answer = door.send(address, request);
        if (!answer.answered()) {
            return new ChallengeResult(name, request.method(), request.path(), 0, "", answer.millis(), List.of(), answer.error());
        }
        WireResponse r = answer.response();
        return new ChallengeResult(name, request.method(), request.path(), r.status(), Printable.of(r.reason(), 60),
                r.millis(), AuthSchemes.of(r.headers("WWW-Authenticate")), null);
    }
}
