package io.exgate.proxy.probe;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** One readable sentence for a failure: the causes' messages without the JDK's class names. */
final class FailureText {
    private FailureText() {
    }

    static String of(Throwable failure) {
        if (failure instanceof SocketTimeoutException) {
            return "timed out";
        }
        if (failure instanceof NoSuchFileException) {
            return "no such file";
        }
        if (failure instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (failure instanceof UnknownHostException) {
            return "unknown host " + failure.getMessage();
        }
        if (failure instanceof ConnectException && String.valueOf(failure.getMessage()).toLowerCase(Locale.ROOT).contains("refused")) {
            return "connection refused";
        }
        List<String> parts = new ArrayList<>();
        for (Throwable t = failure; t != null && parts.size() < 4; t = t.getCause()) {
            String m = t.getMessage();
            if (m == null || m.isBlank()) {
                continue;
            }
            // The JDK often repeats the cause as "pkg.SomeException: message" inside the message.
            m = m.replaceAll("([a-z][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*(Exception|Error): ", "").trim();
            String tail = m;
            if (parts.stream().noneMatch(p -> p.contains(tail))) {
                parts.add(m);
            }
        }
        if (parts.isEmpty()) {
            return failure.getClass().getSimpleName();
        }
        String text = String.join(": ", parts);
        return text.equalsIgnoreCase("connection reset") ? "connection reset" : text;
    }
}
