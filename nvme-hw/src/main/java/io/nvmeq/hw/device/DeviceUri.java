package io.nvmeq.hw.device;

import io.nvmeq.hw.emu.EmulatorConfig;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A parsed device URI: which device to open. See {@link BadDeviceUriException#ACCEPTED_FORMS} for the
 * syntax; {@link Devices#open(String)} opens the NVMe ones.
 */
public sealed interface DeviceUri permits DeviceUri.Emulated, DeviceUri.Vfio, DeviceUri.Posix
{
    /** The device used when none is named: a 64 MiB in-memory emulated controller. */
    String DEFAULT = "emu:memory?size=64m";

    /**
     * Parses {@code uri}.
     *
     * @throws BadDeviceUriException naming the bad part and listing the accepted forms
     */
    static DeviceUri parse(final String uri)
    {
        return DeviceUriParser.parse(uri);
    }

    /**
     * {@code emu:BACKEND[?KEY=VALUE&...]}: the emulated controller built from {@code config}. BACKEND is
     * {@code memory} (the default; {@code emu:} alone means it), {@code null} (moves no data) or
     * {@code file:/absolute/path} (durable: data of a completed Flush or FUA write survives a crash of
     * the process). Each key at most once:
     * <table>
     * <caption>emu: keys</caption>
     * <tr><th>key</th><th>value</th><th>default</th></tr>
     * <tr><td>size</td><td>bytes per namespace, suffix k, m, g or t</td><td>64m</td></tr>
     * <tr><td>bs</td><td>logical block size, 512 or 4096</td><td>512</td></tr>
     * <tr><td>namespaces</td><td>number of namespaces (1..1024)</td><td>1</td></tr>
     * <tr><td>queues</td><td>I/O queue pairs the controller grants at most</td><td>64</td></tr>
     * <tr><td>entries</td><td>largest queue (CAP.MQES + 1)</td><td>1024</td></tr>
     * <tr><td>mdts</td><td>Maximum Data Transfer Size, 2^mdts 4 KiB pages; 0 = no limit</td><td>7</td></tr>
     * <tr><td>serial, model</td><td>Identify SN (20) and MN (40), printable ASCII, %XX escapes</td><td></td></tr>
     * <tr><td>mappings</td><td>IOMMU mapping limit; one more map fails with ENOSPC as VFIO's does</td><td>65535</td></tr>
     * <tr><td>latency</td><td>service times, comma-separated {@code read:T}, {@code write:T} (Write and
     *     Write Zeroes), {@code flush:T}, {@code all:T}; T is a fixed time {@code 80us}, a uniform range
     *     {@code 60us-100us} or an exponential mean {@code exp:80us}; units ns, us, ms, s</td><td>none: completions are immediate</td></tr>
     * <tr><td>channels</td><td>commands the medium serves at once; throughput ≈ min(QD, channels) ÷ service time</td><td>1</td></tr>
     * <tr><td>faults</td><td>faults armed at creation, comma-separated:
     *     {@code random:RATE[:SEED]} each I/O command fails with Internal Error (retryable) with probability RATE;
     *     {@code random-dnr:RATE[:SEED]} the same with Do Not Retry;
     *     {@code fail:N} / {@code fail-dnr:N} the next N I/O commands fail so;
     *     {@code drop:N} the next N I/O completions are never posted (a timeout; Abort or reset ends them);
     *     {@code delay:N:T} the next N I/O completions come T late;
     *     {@code admin:OP[:N]} the next N (default 1) admin commands with hex opcode OP fail with Internal Error
     *     (e.g. {@code admin:06}: Identify fails during bring-up);
     *     {@code iommu:N} the next N command data transfers hit an IOMMU fault (Data Transfer Error);
     *     {@code cfs:N} CSTS.CFS is set when I/O command N + 1 is fetched;
     *     {@code removal:N} surprise removal (registers read all-ones) when I/O command N + 1 is fetched</td><td>none</td></tr>
     * </table>
     * Example: {@code emu:file:/var/tmp/ns.img?size=1g&bs=4096&latency=read:80us,write:20us,flush:1ms&channels=8&faults=random:0.001}.
     */
    record Emulated(EmulatorConfig config) implements DeviceUri
    {
        public Emulated
        {
            Objects.requireNonNull(config, "config");
        }
    }

    /** {@code nvme://DDDD:BB:DD.F/N}: a PCI NVMe controller reached through VFIO, and a namespace on it. */
    record Vfio(int domain, int bus, int device, int function, int namespace) implements DeviceUri
    {
        public Vfio
        {
            if (domain < 0 || domain > 0xffff || bus < 0 || bus > 0xff || device < 0 || device > 0x1f ||
                function < 0 || function > 7 || namespace < 1)
            {
                throw new IllegalArgumentException("not a PCI address and namespace: " +
                    domain + ":" + bus + ":" + device + "." + function + "/" + namespace);
            }
        }

        /** The address as sysfs and VFIO spell it, e.g. {@code 0000:44:00.0}. */
        public String pciAddress()
        {
            return String.format("%04x:%02x:%02x.%x", domain, bus, device, function);
        }

        /** The canonical URI, e.g. {@code nvme://0000:44:00.0/1}. */
        public String uri()
        {
            return "nvme://" + pciAddress() + "/" + namespace;
        }
    }

    /** {@code posix:/path}: a file or block device read through the kernel; not an NVMe device. */
    record Posix(Path path) implements DeviceUri
    {
        public Posix
        {
            Objects.requireNonNull(path, "path");
        }
    }
}
