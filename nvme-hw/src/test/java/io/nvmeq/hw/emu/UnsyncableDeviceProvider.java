package io.nvmeq.hw.emu;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import io.nvmeq.hw.device.DeviceProvider;
import io.nvmeq.hw.device.DeviceUri;
import io.nvmeq.hw.device.DeviceUriText;
import io.nvmeq.hw.device.NvmeDevice;

/**
 * Tests only: {@code unsyncable:}, an emulated controller whose one namespace (1 MiB, 512-byte blocks)
 * is a real {@link FileStore} over {@code /dev/null}, where {@code fsync} fails with EINVAL. Opening
 * {@code emu:file:/dev/null} is refused up front, so this reaches past that check to show what the
 * driver does when a flush fails later: Flush and FUA writes complete with Write Fault, and a shutdown
 * reports CSTS.CFS. Shipped in nvme-hw's test-jar; each module that uses it registers it in its own test
 * {@code META-INF/services} (nvme-hw's own tests do not see it).
 */
public final class UnsyncableDeviceProvider implements DeviceProvider
{
    private static final Path DEV_NULL = Path.of("/dev/null");

    @Override
    public String scheme()
    {
        return "unsyncable";
    }

    @Override
    public List<String> forms()
    {
        return List.of("  unsyncable:                   (tests) emulated controller over /dev/null, whose fsync fails");
    }

    @Override
    public DeviceUri parse(final DeviceUriText uri)
    {
        if (!uri.rest().isEmpty())
        {
            throw uri.bad("unsyncable: takes no parameters");
        }
        return () -> "unsyncable";
    }

    @Override
    public NvmeDevice open(final DeviceUri parsed, final String uri)
    {
        try
        {
            final ImageLock lock = ImageLock.claim(DEV_NULL);
            final FileChannel channel = FileChannel.open(DEV_NULL, StandardOpenOption.READ, StandardOpenOption.WRITE);
            final EmulatorConfig config = EmulatorConfig.builder().file(DEV_NULL).namespaceBytes(1 << 20).blockSize(512).build();
            final BlockStore store = new FileStore(lock, channel, ImageGeometry.of(config), false);
            return EmulatedController.create(new BackingStores(config, new BlockStore[]{ store }), uri);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
