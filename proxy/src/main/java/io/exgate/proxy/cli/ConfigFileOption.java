package io.exgate.proxy.cli;

import io.exgate.proxy.config.ConfigException;
import io.exgate.proxy.config.ConfigLoader;
import io.exgate.proxy.config.ExgateConfig;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The {@code --config FILE} option, and the one way a refused file is reported. */
final class ConfigFileOption {
    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "the YAML configuration file")
    Path file;

    /** The validated configuration, or empty after printing why it was refused. */
    Optional<ExgateConfig> load() {
        try {
            return Optional.of(ConfigLoader.load(file));
        } catch (ConfigException e) {
            System.err.println("exgate: invalid configuration: " + e.getMessage());
            return Optional.empty();
        }
    }
}
