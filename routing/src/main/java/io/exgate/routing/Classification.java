package io.exgate.routing;

/**
 * What a request is: its protocol and, where the protocol has one, its action (the MAPI request
 * type such as {@code Execute}, or {@code RPC_IN_DATA}, {@code RPC_OUT_DATA}, {@code Echo}).
 *
 * @param action the action, or {@code null} when the protocol has none or the request named none
 */
public record Classification(ExchangeProtocol protocol, String action) {
    public static final String RPC_IN = "RPC_IN_DATA";
    public static final String RPC_OUT = "RPC_OUT_DATA";
    public static final String RPC_ECHO = "Echo";

    public boolean isRpcChannel() {
        return protocol == ExchangeProtocol.RPC && (RPC_IN.equals(action) || RPC_OUT.equals(action));
    }

    public boolean isNotificationWait() {
        return protocol == ExchangeProtocol.MAPI_EMSMDB && "NotificationWait".equals(action);
    }
}
