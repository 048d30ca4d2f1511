package io.exgate.proxy.cli;

import io.exgate.proxy.config.ExgateConfig;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "check-config", mixinStandardHelpOptions = true,
        description = {"Validate a configuration file, including its certificate and CA files, and exit:",
            "0 when it is valid, 2 with a message naming the file, key and value when it is not."})
final class CheckConfigCommand implements Callable<Integer> {
    @Mixin
    ConfigFileOption config;

    @Override
    public Integer call() {
        Optional<ExgateConfig> loaded = config.load();
        if (loaded.isEmpty()) {
            return 2;
        }
        ExgateConfig c = loaded.get();
        System.out.println(config.file + ": valid (listen " + c.listen() + ", " + c.backends().size() + " backend"
                + (c.backends().size() == 1 ? "" : "s") + ", " + c.certificates().size() + " certificate"
                + (c.certificates().size() == 1 ? "" : "s") + ")");
        CertificateReport.print(c, Clock.systemUTC(), System.out);
        return 0;
    }
}
