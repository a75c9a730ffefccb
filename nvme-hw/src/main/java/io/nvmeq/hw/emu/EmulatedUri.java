package io.nvmeq.hw.emu;

import java.util.Objects;

import io.nvmeq.hw.device.DeviceUri;

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
public record EmulatedUri(EmulatorConfig config) implements DeviceUri
{
    public EmulatedUri
    {
        Objects.requireNonNull(config, "config");
    }

    @Override
    public String scheme()
    {
        return EmulatorDeviceProvider.SCHEME;
    }
}
