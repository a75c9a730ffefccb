package io.nvmeq.hw.vfio;

import java.util.List;

import io.nvmeq.hw.device.DeviceProvider;
import io.nvmeq.hw.device.DeviceUri;
import io.nvmeq.hw.device.DeviceUriText;
import io.nvmeq.hw.device.NvmeDevice;

/** {@code nvme://DDDD:BB:DD.F[/N]}: a PCI NVMe controller through VFIO, and a namespace on it. */
public final class VfioDeviceProvider implements DeviceProvider
{
    static final String SCHEME = "nvme";

    @Override
    public String scheme()
    {
        return SCHEME;
    }

    @Override
    public String prefix()
    {
        return "nvme://";
    }

    @Override
    public List<String> forms()
    {
        return List.of(
            "  nvme://DDDD:BB:DD.F[/N]       NVMe controller at that PCI address through VFIO, namespace N (default 1),",
            "                                e.g. nvme://0000:44:00.0/1");
    }

    @Override
    public NvmeDevice open(final DeviceUri parsed, final String uri)
    {
        return VfioDevice.open((VfioUri)parsed, uri);
    }

    @Override
    public DeviceUri parse(final DeviceUriText text)
    {
        final String rest = text.rest();
        if (!rest.startsWith("//"))
        {
            throw text.bad("nvme: must be followed by //, as in nvme://0000:44:00.0/1");
        }
        final String body = rest.substring(2);
        final int slash = body.indexOf('/');
        final String address = slash < 0 ? body : body.substring(0, slash);
        final String[] fields = address.split(":", -1);
        if (fields.length == 2 && fields[1].indexOf('.') >= 0)
        {
            throw text.bad("PCI address '" + address + "' has no domain: write 0000:" + address +
                " (lspci -D shows the full address)");
        }
        if (fields.length != 3)
        {
            throw text.bad("PCI address '" + address + "' is not DDDD:BB:DD.F");
        }
        final int dot = fields[2].indexOf('.');
        if (dot < 0)
        {
            throw text.bad("PCI address '" + address + "' has no function: write " + address + ".0 for function 0");
        }
        final int domain = text.hex("PCI domain", fields[0], 4, 0xffff);
        final int bus = text.hex("PCI bus", fields[1], 2, 0xff);
        final int device = text.hex("PCI device", fields[2].substring(0, dot), 2, 0x1f);
        final int function = text.hex("PCI function", fields[2].substring(dot + 1), 1, 7);
        int namespace = 1;
        if (slash >= 0)
        {
            final String ns = body.substring(slash + 1);
            if (ns.isEmpty() || ns.indexOf('/') >= 0)
            {
                throw text.bad("namespace '" + ns + "' after the PCI address is not a number");
            }
            final long number = text.decimal("namespace", ns);
            if (number < 1 || number > Integer.MAX_VALUE)
            {
                throw text.bad("namespace " + ns + " is out of range: namespace ids start at 1");
            }
            namespace = (int)number;
        }
        return new VfioUri(domain, bus, device, function, namespace);
    }
}
