package io.nvmeq.hw.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.nvmeq.hw.emu.EmulatedUri;
import io.nvmeq.hw.emu.EmulatorConfig;
import io.nvmeq.hw.emu.FaultSpec;
import io.nvmeq.hw.emu.LatencyModel;
import io.nvmeq.hw.emu.ServiceTime;
import io.nvmeq.hw.spec.Status;

/** The emu: keys of the latency model and the fault injector: latency, channels, faults. */
class EmulatorUriKeysTest
{
    private static EmulatorConfig emu(final String uri)
    {
        return assertInstanceOf(EmulatedUri.class, DeviceUri.parse(uri)).config();
    }

    private static void badBecause(final String uri, final String problemPart)
    {
        final BadDeviceUriException ex = assertThrows(BadDeviceUriException.class, () -> DeviceUri.parse(uri));
        assertTrue(ex.problem().contains(problemPart), "problem '" + ex.problem() + "' lacks '" + problemPart + "'");
    }

    @Test
    void latencyAndChannels()
    {
        final LatencyModel latency = emu("emu:memory?latency=read:80us,write:20us-40us,flush:exp:1ms&channels=8").latency();
        assertEquals(ServiceTime.fixed(80_000), latency.read());
        assertEquals(ServiceTime.uniform(20_000, 40_000), latency.write());
        assertEquals(ServiceTime.exponential(1_000_000), latency.flush());
        assertEquals(8, latency.channels());
        final LatencyModel all = emu("emu:?latency=all:2s").latency();
        assertEquals(ServiceTime.fixed(2_000_000_000L), all.read());
        assertEquals(ServiceTime.fixed(2_000_000_000L), all.flush());
        assertEquals(1, all.channels());
        assertEquals(LatencyModel.NONE, emu("emu:").latency());
        assertEquals(ServiceTime.fixed(500), emu("emu:?latency=read:500ns").latency().read());
    }

    @Test
    void deviceThreads()
    {
        assertEquals(0, emu("emu:memory").deviceThreads(), "inline by default");
        assertEquals(2, emu("emu:null?device-threads=2").deviceThreads());
        badBecause("emu:?device-threads=-1", "not a decimal number");
        badBecause("emu:?device-threads=65", "device threads must be 0..64");
        badBecause("emu:?device-threads=x", "device-threads");
    }

    @Test
    void badLatencies()
    {
        badBecause("emu:?latency=read", "is not read|write|flush|all:TIME");
        badBecause("emu:?latency=seek:1ms", "'seek' is not read");
        badBecause("emu:?latency=read:80", "needs a unit");
        badBecause("emu:?latency=read:80xs", "not a decimal number");
        badBecause("emu:?latency=read:90us-80us", "upper bound is below");
        badBecause("emu:?channels=0", "channels must be 1..4096");
        badBecause("emu:?latency=read:99999999999999999s", "too large");
    }

    @Test
    void everyFaultKind()
    {
        final List<FaultSpec> faults = emu("emu:?faults=random:0.01,random-dnr:0.5:7,fail:3,fail-dnr:1,drop:2,"
            + "delay:4:50ms,admin:06,admin:0x09:3,iommu:5,cfs:100,removal:200").faults();
        assertEquals(List.of(
            new FaultSpec.RandomErrors(0.01, Status.INTERNAL_ERROR, 1),
            new FaultSpec.RandomErrors(0.5, Status.withDnr(Status.INTERNAL_ERROR), 7),
            new FaultSpec.FailNext(3, Status.INTERNAL_ERROR),
            new FaultSpec.FailNext(1, Status.withDnr(Status.INTERNAL_ERROR)),
            new FaultSpec.DropCompletions(2),
            new FaultSpec.DelayCompletions(4, 50_000_000),
            new FaultSpec.FailAdmin(0x06, Status.INTERNAL_ERROR, 1),
            new FaultSpec.FailAdmin(0x09, Status.INTERNAL_ERROR, 3),
            new FaultSpec.IommuFaults(5),
            new FaultSpec.FatalAfter(100),
            new FaultSpec.RemovalAfter(200)), faults);
    }

    @ParameterizedTest
    @ValueSource(strings = {"random:2", "random:-0.1", "random:NaN", "random:0x1p-3", "random", "fail:", "fail:x",
        "drop:1:2", "delay:1", "delay:1:0ms", "admin:zz", "admin:123", "boom:1", "cfs:-1", "iommu:1,"})
    void badFaults(final String faults)
    {
        assertThrows(BadDeviceUriException.class, () -> DeviceUri.parse("emu:?faults=" + faults));
    }

    @Test
    void badFaultsNameTheItem()
    {
        badBecause("emu:?faults=boom:1", "unknown kind 'boom'");
        badBecause("emu:?faults=random:2", "rate must be within 0..1");
        badBecause("emu:?faults=drop:1:2", "expected 1");
    }

    @Test
    void builderAndUriAgree()
    {
        assertEquals(EmulatorConfig.builder().readLatency(ServiceTime.fixed(80_000)).channels(4)
                .fault(new FaultSpec.DropCompletions(1)).build(),
            emu("emu:memory?latency=read:80us&channels=4&faults=drop:1"));
    }
}
