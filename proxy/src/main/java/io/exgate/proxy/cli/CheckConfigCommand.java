package io.exgate.proxy.cli;

import io.exgate.proxy.config.ConfigException;
import io.exgate.proxy.config.ConfigLoader;
import io.exgate.proxy.config.ExgateConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "check-config", mixinStandardHelpOptions = true,
        description = {"Validate a configuration file, including its certificate and CA files, and exit:",
            "0 when it is valid, 2 with a message naming the file, key and value when it is not."})
final class CheckConfigCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "the YAML configuration file")
    Path config;

    @Override
    public Integer call() {
        try {
            ExgateConfig c = ConfigLoader.load(config);
            System.out.println(config + ": valid (listen " + c.listen() + ", " + c.backends().size() + " backend"
                    + (c.backends().size() == 1 ? "" : "s") + ", " + c.certificates().size() + " certificate"
                    + (c.certificates().size() == 1 ? "" : "s") + ")");
            return 0;
        } catch (ConfigException e) {
            System.err.println("exgate: invalid configuration: " + e.getMessage());
            return 2;
        }
    }
}
