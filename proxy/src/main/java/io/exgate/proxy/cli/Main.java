package io.exgate.proxy.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** exgate's command line. */
@Command(name = "exgate",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {
            "A protocol-aware reverse proxy and load balancer for Exchange-style mail servers:",
            "terminates TLS for the shared name and relays MAPI over HTTP, RPC over HTTP and the",
            "other Exchange virtual directories to the mailbox servers, streaming both ways."},
        subcommands = {RunCommand.class, CheckConfigCommand.class, DemoCommand.class, io.exgate.proxy.probe.ProbeCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Exit codes: 0 success, 1 failure at run time, 2 invalid configuration or usage.",
            "Documentation: README.md (configuration reference, deployment)."})
public final class Main implements Runnable {
    /** Returned by commands that keep running until a signal stops them. */
    static final int KEEP_RUNNING = -1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        Logging.configure();
        int code = commandLine().execute(args);
        if (code != KEEP_RUNNING) {
            System.exit(code);
        }
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExitCodeExceptionMapper(e -> 2);
        return cl;
    }
}
