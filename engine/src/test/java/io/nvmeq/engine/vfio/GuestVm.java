package io.nvmeq.engine.vfio;

import java.util.List;

import io.nvmeq.hw.vfio.PciSysfs;
import org.junit.jupiter.api.Assumptions;

/** Where the VFIO tests run: only inside the nvmeq test VM, on an NVMe function bound to vfio-pci. */
final class GuestVm
{
    private GuestVm()
    {
    }

    /**
     * The PCI address of the first NVMe function bound to vfio-pci; outside the test VM, or with none bound, the
     * calling test is aborted with the reason.
     */
    static String vfioNvmeAddress()
    {
        if (!"1".equals(System.getenv("NVMEQ_IN_VM")))
        {
            Assumptions.abort("runs only inside the nvmeq test VM (nvme-hw/vm/run-vm-tests.sh sets NVMEQ_IN_VM=1)");
        }
        final List<String> bound = PciSysfs.system().nvmeFunctionsBoundTo("vfio-pci");
        if (bound.isEmpty())
        {
            Assumptions.abort("NVMEQ_IN_VM=1 but no NVMe function is bound to vfio-pci");
        }
        return bound.get(0);
    }
}
