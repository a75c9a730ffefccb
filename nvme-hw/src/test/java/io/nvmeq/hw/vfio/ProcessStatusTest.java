package io.nvmeq.hw.vfio;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcessStatusTest
{
    @Test
    void readsCapIpcLockFromTheEffectiveSet()
    {
        final String root = "Name:\tjava\nCapInh:\t0000000000000000\nCapEff:\t000001ffffffffff\nCapBnd:\t000001ffffffffff\n";
        final String user = "Name:\tjava\nCapEff:\t0000000000000000\n";
        final String onlyIpcLock = "CapEff:\t0000000000004000\n";
        assertTrue(ProcessStatus.hasCapability(root, ProcessStatus.CAP_IPC_LOCK));
        assertFalse(ProcessStatus.hasCapability(user, ProcessStatus.CAP_IPC_LOCK));
        assertTrue(ProcessStatus.hasCapability(onlyIpcLock, ProcessStatus.CAP_IPC_LOCK));
        assertFalse(ProcessStatus.hasCapability(onlyIpcLock, 13));
        assertFalse(ProcessStatus.hasCapability("Name:\tjava\n", ProcessStatus.CAP_IPC_LOCK));
    }
}
