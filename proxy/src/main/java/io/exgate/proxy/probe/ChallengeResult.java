package io.exgate.proxy.probe;

import java.util.List;

/**
 * A protocol endpoint asked without credentials: what it answers and which authentication it offers.
 *
 * @param name    {@code MAPI} or {@code RPC}
 * @param status  0 when no answer came
 * @param schemes the schemes in WWW-Authenticate, in the order offered (NTLM, Negotiate, Basic, Bearer, ...)
 * @param error   why no answer came, or null
 */
record ChallengeResult(String name, String method, String path, int status, String reason, long millis,
                       List<String> schemes, String error) {
}
