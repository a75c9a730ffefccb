package io.nvmeq.examples.bench;

import java.util.BitSet;

import io.nvmeq.hw.device.DeviceUri;
import io.nvmeq.hw.emu.EmulatedUri;
import io.nvmeq.hw.nativeio.CpuAffinity;

/**
 * The CPUs nvmeq's side of the reference matrix runs on, which the POSIX side gets too: the queue pair's
 * thread takes the lowest CPU this process may use, and an emulated controller with device threads puts
 * them on the highest ones (unpinned, anywhere, when the process has no CPU to spare for them). Inline
 * ({@code device-threads=0}) the device's work runs on the queue pair's thread, so nvmeq has one CPU; and
 * so POSIX's iodepth threads get that one CPU as well, not every core of the machine.
 *
 * @param cpus          the CPUs both sides run on
 * @param deviceThreads the emulated controller's own threads (0: inline; -1: not emulated, a real device)
 */
record SharedCpus(BitSet cpus, int deviceThreads)
{
    static SharedCpus of(final String device)
    {
        final BitSet usable = CpuAffinity.affinityOf((int)ProcessHandle.current().pid());
        usable.and(CpuAffinity.onlineCpus());
        final int deviceThreads = DeviceUri.parse(device) instanceof EmulatedUri emulated ?
            emulated.config().deviceThreads() : -1;
        final BitSet cpus = new BitSet();
        cpus.set(usable.nextSetBit(0));
        if (deviceThreads > 0 && usable.cardinality() > deviceThreads)
        {
            int cpu = usable.length() - 1;
            for (int i = 0; i < deviceThreads; i++)
            {
                cpus.set(cpu);
                cpu = usable.previousSetBit(cpu - 1);
            }
        }
        else if (deviceThreads > 0)
        {
            cpus.or(usable);
        }
        return new SharedCpus(cpus, deviceThreads);
    }

    /** How the device's work is placed, in words, for the report. */
    String mode()
    {
        if (deviceThreads < 0)
        {
            return "a real controller (its own cores); the host side on CPUs " + cpus;
        }
        if (deviceThreads == 0)
        {
            return "emulated controller inline (device-threads=0): it executes each command on the queue pair's " +
                "thread, so nvmeq runs on CPUs " + cpus;
        }
        return "emulated controller on " + deviceThreads + " thread(s) of its own (device-threads=" + deviceThreads +
            "), beside the queue pair's thread: nvmeq runs on CPUs " + cpus;
    }
}
