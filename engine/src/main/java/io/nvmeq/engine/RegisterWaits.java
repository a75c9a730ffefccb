package io.nvmeq.engine;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntPredicate;

import io.nvmeq.hw.device.RegisterSpace;
import io.nvmeq.hw.spec.Registers;

/**
 * The register waits of bring-up and shutdown (§3.5.1, §3.6.2): CC.EN and CSTS.RDY, CC.SHN and
 * CSTS.SHST, each bounded by CAP.TO. They wait on the caller's thread, so they serve bring-up and close
 * only; a controller reset polls the same registers step by step instead ({@link ControllerReset}).
 */
final class RegisterWaits
{
    private final String uri;
    private final RegisterSpace registers;
    private final long readyTimeoutMillis;

    RegisterWaits(final String uri, final RegisterSpace registers, final long readyTimeoutMillis)
    {
        this.uri = uri;
        this.registers = registers;
        this.readyTimeoutMillis = readyTimeoutMillis;
    }

    void disable()
    {
        final int cc = registers.read32(Registers.CC);
        if ((cc & Registers.CC_EN) != 0)
        {
            registers.write32(Registers.CC, cc & ~Registers.CC_EN);
        }
        waitFor(csts -> (csts & Registers.CSTS_RDY) == 0, "CSTS.RDY = 0 after CC.EN = 0");
    }

    void enable(final int hostPageShift)
    {
        registers.write32(Registers.CC, Registers.ccEnable(hostPageShift));
        waitFor(csts -> (csts & Registers.CSTS_RDY) != 0, "CSTS.RDY = 1 after CC.EN = 1");
    }

    /** Bring-up and shutdown only: polls CSTS until {@code condition} holds, at most CAP.TO; CFS or all ones end the wait. */
    void waitFor(final IntPredicate condition, final String what)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(readyTimeoutMillis);
        while (true)
        {
            final int csts = registers.read32(Registers.CSTS);
            if (csts == -1)
            {
                throw new ControllerFatalException(uri + ": CSTS reads all ones while waiting for " + what);
            }
            if (condition.test(csts))
            {
                return;
            }
            if ((csts & Registers.CSTS_CFS) != 0)
            {
                throw new ControllerFatalException(uri + ": controller fatal status (CSTS.CFS) while waiting for " + what);
            }
            if (System.nanoTime() - deadline > 0)
            {
                throw new ControllerTimeoutException(
                    uri + ": no " + what + " within CAP.TO (" + readyTimeoutMillis + " ms)");
            }
            LockSupport.parkNanos(100_000);
        }
    }
}
