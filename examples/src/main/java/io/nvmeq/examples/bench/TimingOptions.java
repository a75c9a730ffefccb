package io.nvmeq.examples.bench;

import io.nvmeq.examples.io.NumberConverters;
import picocli.CommandLine.Option;

/**
 * fio's {@code --runtime} and {@code --ramp_time}, shared by {@code bench} and {@code scale}; each command gives
 * its own defaults through its default value provider.
 */
public final class TimingOptions
{
    @Option(names = "--runtime", paramLabel = "TIME", converter = NumberConverters.Duration.class,
        description = "Measured time after the ramp: 500ms, 5s, 1m; a bare number is seconds (default: "
            + "${DEFAULT-VALUE}).")
    Long runtimeNs;

    @Option(names = "--ramp_time", paramLabel = "TIME", converter = NumberConverters.Duration.class,
        description = "Time run before measuring starts (default: ${DEFAULT-VALUE}).")
    Long rampNs;
}
