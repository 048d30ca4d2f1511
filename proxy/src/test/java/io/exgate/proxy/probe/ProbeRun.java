package io.exgate.proxy.probe;

import io.exgate.proxy.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/** Runs {@code exgate probe ...} in-process through exgate's own command line, capturing what it prints. */
record ProbeRun(int code, String out, String err) {

    /** {@code exgate probe ARGS}. */
    static ProbeRun of(String... args) {
        String[] full = new String[args.length + 1];
        full[0] = "probe";
        System.arraycopy(args, 0, full, 1, args.length);
        return exgate(full);
    }

    /** {@code exgate ARGS}. */
    static ProbeRun exgate(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            // As Main.commandLine() builds it (package-private there): every exception is exit 2.
            CommandLine cl = new CommandLine(new Main());
            cl.setExitCodeExceptionMapper(ex -> 2);
            int code = cl.execute(args);
            // Echoed to the real output (a file under surefire-reports) to read a failing run in full.
            out.println("$ exgate " + String.join(" ", args) + "  (exit " + code + ")\n" + o + e);
            return new ProbeRun(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    /** The line of the output that starts with {@code prefix}, for column checks. */
    String line(String prefix) {
        return out.lines().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starting with '" + prefix + "' in:\n" + out + err));
    }
}
