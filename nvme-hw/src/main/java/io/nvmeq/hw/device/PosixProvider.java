package io.nvmeq.hw.device;

import java.util.List;

/** {@code posix:/abs/path}: a file or block device through the kernel, the baseline benchmarks compare with. */
public final class PosixProvider implements DeviceProvider
{
    static final String SCHEME = "posix";

    @Override
    public String scheme()
    {
        return SCHEME;
    }

    @Override
    public List<String> forms()
    {
        return List.of("  posix:/abs/path               a file or block device through the kernel (benchmark baseline)");
    }

    @Override
    public DeviceUri parse(final DeviceUriText uri)
    {
        return new DeviceUri.Posix(uri.absolutePath(uri.rest(), SCHEME));
    }

    @Override
    public NvmeDevice open(final DeviceUri parsed, final String uri)
    {
        throw new BadDeviceUriException(uri, "posix: names a file or block device read through the kernel, " +
            "not an NVMe device; only benchmarks open it, as their baseline");
    }
}
