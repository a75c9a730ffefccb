package io.nvmeq.hw.emu;

import java.util.concurrent.atomic.AtomicInteger;

import io.nvmeq.hw.device.RegisterSpace;
import io.nvmeq.hw.spec.Registers;

/**
 * BAR0 of the emulated controller (NVMe base spec 2.0 §3.1.3 "Controller Registers"): decodes offsets
 * and hands CC writes and doorbells to the controller. Read-only registers ignore writes, reserved
 * offsets read as zero, as on hardware. CAP.DSTRD is 0, so doorbells are 4 bytes apart.
 */
final class EmulatedRegisters implements RegisterSpace
{
    /** CAP.TO in 500 ms units: 20 = 10 s, generous for a controller that is ready at once. */
    static final int TIMEOUT_500MS = 20;
    static final int VERSION = Registers.version(1, 4, 0);
    /** CC bits a host may set: EN, CSS, MPS, AMS, SHN, IOSQES, IOCQES. */
    private static final int CC_WRITABLE = 0x00FF_FFF1;

    private final EmulatedController controller;
    private final Interrupts interrupts;
    final long cap;
    volatile int cc;
    /** Changed by CC writes and by queue threads that hit a fatal error, hence atomic. */
    final AtomicInteger csts = new AtomicInteger();
    volatile int aqa;
    volatile long asq;
    volatile long acq;

    EmulatedRegisters(final EmulatedController controller, final int maxQueueEntries, final Interrupts interrupts)
    {
        this.controller = controller;
        this.interrupts = interrupts;
        this.cap = Registers.cap(maxQueueEntries - 1, true, TIMEOUT_500MS, 0, 12, 16);
    }

    @Override
    public int read32(final int offset)
    {
        if (controller.isRemoved())
        {
            // A device that left the bus: PCIe reads of its BAR complete with all ones.
            return 0xFFFF_FFFF;
        }
        switch (offset)
        {
            case Registers.CAP: return (int)cap;
            case Registers.CAP + 4: return (int)(cap >>> 32);
            case Registers.VS: return VERSION;
            case Registers.CC: return cc;
            case Registers.CSTS: return csts.get();
            case Registers.AQA: return aqa;
            case Registers.ASQ: return (int)asq;
            case Registers.ASQ + 4: return (int)(asq >>> 32);
            case Registers.ACQ: return (int)acq;
            case Registers.ACQ + 4: return (int)(acq >>> 32);
            default: return interrupts.isMsixRegister(offset) ? interrupts.readMsix(offset & ~3) : 0;
        }
    }

    @Override
    public long read64(final int offset)
    {
        return (read32(offset) & 0xFFFF_FFFFL) | ((long)read32(offset + 4) << 32);
    }

    @Override
    public void write32(final int offset, final int value)
    {
        if (controller.isRemoved())
        {
            return;
        }
        if (offset >= Registers.DOORBELL_BASE)
        {
            if (interrupts.isMsixRegister(offset))
            {
                interrupts.writeMsix(offset & ~3, value);
            }
            else
            {
                doorbell(offset, value);
            }
            return;
        }
        switch (offset)
        {
            case Registers.CC:
                controller.writeCc(value & CC_WRITABLE);
                break;
            case Registers.AQA:
                aqa = value & 0x0FFF_0FFF;
                break;
            case Registers.ASQ:
                asq = (asq & 0xFFFF_FFFF_0000_0000L) | (value & 0xFFFF_F000L);
                break;
            case Registers.ASQ + 4:
                asq = (asq & 0xFFFF_FFFFL) | ((long)value << 32);
                break;
            case Registers.ACQ:
                acq = (acq & 0xFFFF_FFFF_0000_0000L) | (value & 0xFFFF_F000L);
                break;
            case Registers.ACQ + 4:
                acq = (acq & 0xFFFF_FFFFL) | ((long)value << 32);
                break;
            default:
                // CAP, VS, CSTS are read-only; INTMS/INTMC are not used with MSI-X (see Interrupts); no NVM
                // subsystem reset.
                break;
        }
    }

    @Override
    public void write64(final int offset, final long value)
    {
        write32(offset, (int)value);
        write32(offset + 4, (int)(value >>> 32));
    }

    private void doorbell(final int offset, final int value)
    {
        final int index = (offset - Registers.DOORBELL_BASE) >>> 2;
        if ((offset & 3) != 0)
        {
            controller.invalidDoorbellRegister();
            return;
        }
        if ((index & 1) == 0)
        {
            controller.sqTailDoorbell(index >>> 1, value);
        }
        else
        {
            controller.cqHeadDoorbell(index >>> 1, value);
        }
    }
}
