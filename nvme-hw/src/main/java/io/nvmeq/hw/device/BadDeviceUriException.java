package io.nvmeq.hw.device;

/**
 * A device URI that does not parse. The message names the URI and the part that is wrong, then lists
 * the accepted forms.
 */
public final class BadDeviceUriException extends IllegalArgumentException
{
    private static final long serialVersionUID = 1L;

    /** The forms {@link DeviceUri#parse(String)} accepts, as shown in every error. */
    public static final String ACCEPTED_FORMS = String.join(System.lineSeparator(),
        "accepted device URIs:",
        "  emu:memory[?params]           emulated controller, data in memory (emu: alone means emu:memory)",
        "  emu:null[?params]             emulated controller that moves no data",
        "  emu:file:/abs/path[?params]   emulated controller, data in a file",
        "    params: key=value joined by '&': size=64m (bytes per namespace, suffix k|m|g|t), bs=512|4096,",
        "            namespaces=N, queues=N (I/O queue pairs), entries=N (largest queue), mdts=N,",
        "            serial=S, model=S (%XX escapes allowed), mappings=N (IOMMU mapping limit),",
        "            latency=read:80us,write:20us,flush:1ms (also all:, MIN-MAX uniform, exp:MEAN), channels=N,",
        "            faults=random:0.01,drop:1,delay:1:50ms,fail:N,admin:06,iommu:N,cfs:N,removal:N (see DeviceUri)",
        "  nvme://DDDD:BB:DD.F[/N]       NVMe controller at that PCI address through VFIO, namespace N (default 1),",
        "                                e.g. nvme://0000:44:00.0/1",
        "  posix:/abs/path               a file or block device through the kernel (benchmark baseline)");

    private final String uri;
    private final String problem;

    public BadDeviceUriException(final String uri, final String problem)
    {
        super("bad device URI '" + uri + "': " + problem + System.lineSeparator() + ACCEPTED_FORMS);
        this.uri = uri;
        this.problem = problem;
    }

    /** The URI as given. */
    public String uri()
    {
        return uri;
    }

    /** What is wrong with it, without the list of accepted forms. */
    public String problem()
    {
        return problem;
    }
}
