package io.nvmeq.hw.vfio;

import io.nvmeq.hw.device.DeviceUnavailableException;
import io.nvmeq.hw.device.IommuException;
import io.nvmeq.hw.nativeio.LibC;
import io.nvmeq.hw.vfio.VfioSetupException.Problem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SetupProblemsTest
{
    private static final String URI = "nvme://0000:44:00.0/1";

    @TempDir
    Path root;

    @Test
    void everySetupExceptionIsADeviceUnavailableExceptionWithAdvice()
    {
        final VfioSetupException ex = SetupProblems.permissionDenied(URI, "/dev/vfio/7", VfioLibC.EACCES);
        assertInstanceOf(DeviceUnavailableException.class, ex);
        assertEquals(Problem.PERMISSION_DENIED, ex.problem());
        assertTrue(ex.getMessage().startsWith("cannot open device '" + URI + "': cannot open /dev/vfio/7: errno 13"),
            ex.getMessage());
        assertTrue(ex.getMessage().endsWith("What to do: " + ex.whatToDo()), ex.getMessage());
        assertTrue(ex.whatToDo().contains("chown $USER /dev/vfio/7"), ex.whatToDo());
    }

    @Test
    void memlockNamesTheLimitAndHowToRaiseIt()
    {
        final VfioSetupException limited = SetupProblems.memlock(URI, 2 << 20, 8 << 20, false);
        assertEquals(Problem.MEMLOCK_LIMIT, limited.problem());
        assertTrue(limited.getMessage().contains("RLIMIT_MEMLOCK, which is 8388608 bytes"), limited.getMessage());
        assertTrue(limited.whatToDo().contains("ulimit -l unlimited"), limited.whatToDo());
        final VfioSetupException unlimited = SetupProblems.memlock(URI, 4096, LibC.RLIM_INFINITY, true);
        assertTrue(unlimited.getMessage().contains("which is unlimited"), unlimited.getMessage());
        assertTrue(unlimited.getMessage().contains("CAP_IPC_LOCK"), unlimited.getMessage());
    }

    @Test
    void interruptRemappingAdviceShowsTheUnsafeSwitch()
    {
        final FakeSysfs tree = new FakeSysfs(root).vfioLoaded()
            .file("sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts", "N\n");
        final VfioSetupException ex = SetupProblems.noInterruptRemapping(URI, tree.sysfs());
        assertEquals(Problem.NO_INTERRUPT_REMAPPING, ex.problem());
        assertTrue(ex.getMessage().contains("allow_unsafe_interrupts is N"), ex.getMessage());
        assertTrue(ex.whatToDo().contains("intremap=on"), ex.whatToDo());
    }

    @Test
    void mapErrnosBecomeTheIommuReasonsTheEngineHandles()
    {
        final VfioIommu iommu = new VfioIommu(URI, -1, 4096, List.of(IommuInfo.DEFAULT_RANGE), 65535);
        assertEquals(IommuException.Reason.NO_SPACE,
            ((IommuException)iommu.mapFailure(VfioLibC.ENOSPC, 0x1000, 0x1000, 0x1000)).reason());
        assertTrue(iommu.mapFailure(VfioLibC.ENOSPC, 0x1000, 0x1000, 0x1000).getMessage().contains("65535 mappings"));
        assertEquals(IommuException.Reason.EXISTS,
            ((IommuException)iommu.mapFailure(VfioLibC.EEXIST, 0x1000, 0x1000, 0x1000)).reason());
        assertEquals(IommuException.Reason.INVALID,
            ((IommuException)iommu.mapFailure(VfioLibC.EFAULT, 0x1000, 0x1000, 0x1000)).reason());
        assertEquals(Problem.MEMLOCK_LIMIT,
            ((VfioSetupException)iommu.mapFailure(VfioLibC.ENOMEM, 0x1000, 0x1000, 0x1000)).problem());
    }
}
