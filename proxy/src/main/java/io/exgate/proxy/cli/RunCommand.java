package io.exgate.proxy.cli;

import io.exgate.proxy.Exgate;
import io.exgate.proxy.config.ExgateConfig;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run exgate with a configuration file until SIGTERM or SIGINT, which stop it gracefully:",
            "no new connections, requests in flight finish within timeouts.shutdown, then exit 0.",
            "SIGHUP (or POST /api/reload on the admin listener) re-reads the configuration and applies it",
            "without dropping a connection; SIGHUP also reloads the certificates."})
final class RunCommand implements Callable<Integer> {
    @Mixin
    ConfigFileOption config;

    @Override
    public Integer call() {
        Optional<ExgateConfig> loaded = config.load();
        if (loaded.isEmpty()) {
            return 2;
        }
        ExgateConfig c = loaded.get();
        return Runner.runUntilStopped(() -> Exgate.start(c), c.timeouts().shutdown().toMillis());
    }
}
