package io.nvmeq.hw.device;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A parsed device URI: which device to open. Each scheme's {@link DeviceProvider} makes its own kind
 * ({@code io.nvmeq.hw.emu.EmulatedUri} for {@code emu:}, {@code io.nvmeq.hw.vfio.VfioUri} for
 * {@code nvme://}, {@link Posix} for {@code posix:}); {@link DeviceProviders#acceptedForms()} lists
 * the syntax of all of them, and {@link Devices#open(String)} opens the NVMe ones.
 */
public interface DeviceUri
{
    /** The device used when none is named: a 64 MiB in-memory emulated controller. */
    String DEFAULT = "emu:memory?size=64m";

    /** The scheme of the provider that made this, lower case. */
    String scheme();

    /**
     * Parses {@code uri} with the provider of its scheme.
     *
     * @throws BadDeviceUriException naming the bad part and listing the accepted forms
     */
    static DeviceUri parse(final String uri)
    {
        final DeviceUriText text = DeviceUriText.split(uri);
        final DeviceProvider provider = DeviceProviders.forScheme(text.scheme());
        if (provider == null)
        {
            throw text.bad("unknown scheme '" + text.scheme() + "'");
        }
        return provider.parse(text);
    }

    /** {@code posix:/path}: a file or block device read through the kernel; not an NVMe device. */
    record Posix(Path path) implements DeviceUri
    {
        public Posix
        {
            Objects.requireNonNull(path, "path");
        }

        @Override
        public String scheme()
        {
            return PosixProvider.SCHEME;
        }
    }
}
