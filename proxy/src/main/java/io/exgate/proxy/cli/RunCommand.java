package io.exgate.proxy.cli;

import io.exgate.proxy.Exgate;
import io.exgate.proxy.config.ConfigException;
import io.exgate.proxy.config.ConfigLoader;
import io.exgate.proxy.config.ExgateConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run exgate with a configuration file until SIGTERM or SIGINT, which stop it gracefully:",
            "no new connections, requests in flight finish within timeouts.shutdown, then exit 0."})
final class RunCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "the YAML configuration file")
    Path config;

    @Override
    public Integer call() {
        ExgateConfig c;
        try {
            c = ConfigLoader.load(config);
        } catch (ConfigException e) {
            System.err.println("exgate: invalid configuration: " + e.getMessage());
            return 2;
        }
        return Runner.runUntilStopped(() -> Exgate.start(c), c.timeouts().shutdown().toMillis());
    }
}
