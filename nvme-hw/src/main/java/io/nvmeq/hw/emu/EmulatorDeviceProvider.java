package io.nvmeq.hw.emu;

import java.util.List;

import io.nvmeq.hw.device.DeviceProvider;
import io.nvmeq.hw.device.DeviceUri;
import io.nvmeq.hw.device.DeviceUriText;
import io.nvmeq.hw.device.NvmeDevice;

/** {@code emu:}: the emulated controller, configured by the URI's parameters (see {@link EmulatedUri}). */
public final class EmulatorDeviceProvider implements DeviceProvider
{
    static final String SCHEME = "emu";

    @Override
    public String scheme()
    {
        return SCHEME;
    }

    @Override
    public List<String> forms()
    {
        return List.of(
            "  emu:memory[?params]           emulated controller, data in memory (emu: alone means emu:memory)",
            "  emu:null[?params]             emulated controller that moves no data",
            "  emu:file:/abs/path[?params]   emulated controller, data in a file",
            "    params: key=value joined by '&': size=64m (bytes per namespace, suffix k|m|g|t), bs=512|4096,",
            "            namespaces=N, queues=N (I/O queue pairs), entries=N (largest queue), mdts=N,",
            "            serial=S, model=S (%XX escapes allowed), mappings=N (IOMMU mapping limit),",
            "            latency=read:80us,write:20us,flush:1ms (also all:, MIN-MAX uniform, exp:MEAN), channels=N,",
            "            faults=random:0.01,drop:1,delay:1:50ms,fail:N,admin:06,iommu:N,cfs:N,removal:N (see EmulatedUri),",
            "            device-threads=N (the controller's own threads; 0, the default: commands run on the doorbell writer's)");
    }

    @Override
    public DeviceUri parse(final DeviceUriText uri)
    {
        return new EmulatorUriParser(uri).parse();
    }

    @Override
    public NvmeDevice open(final DeviceUri parsed, final String uri)
    {
        return EmulatedController.create(((EmulatedUri)parsed).config(), uri);
    }
}
