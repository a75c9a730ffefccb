package io.nvmeq.examples.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.nvmeq.hw.vfio.NvmeFunctionInfo;
import io.nvmeq.hw.vfio.NvmeSetup;
import io.nvmeq.hw.vfio.NvmeSetup.Action;
import io.nvmeq.hw.vfio.VfioSetupException;

/**
 * Moves NVMe functions between drivers for {@code setup bind} and {@code setup unbind}. Every function named is
 * checked (and its actions planned) before any is changed, so that one refused function leaves all of them as
 * they were; after a change, the driver the kernel actually bound is read back, since a probe can quietly bind
 * nothing.
 */
final class DriverChange
{
    /** Which driver the functions go to. */
    enum Destination
    {
        VFIO, KERNEL
    }

    /** How long a function may take to show its new driver after the probe. */
    private static final long SETTLE_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long POLL_MILLIS = 20;

    private final NvmeSetup setup;
    private final Destination destination;
    private final PrintWriter out;

    DriverChange(final NvmeSetup setup, final Destination destination, final PrintWriter out)
    {
        this.setup = setup;
        this.destination = destination;
        this.out = out;
    }

    /**
     * @throws CliFailure a refused function (nothing changed then), a write the system refused, or a function
     *                    that did not end up where it was sent
     */
    int run(final List<String> addresses, final boolean dryRun)
    {
        final List<String> unique = new ArrayList<>(new LinkedHashSet<>(addresses));
        final List<List<Action>> plans = new ArrayList<>();
        for (final String address : unique)
        {
            plans.add(plan(address, true));
        }
        for (int i = 0; i < unique.size(); i++)
        {
            final String address = unique.get(i);
            if (plans.get(i).isEmpty())
            {
                out.println(address + ": " + (destination == Destination.VFIO ? "already bound to vfio-pci" :
                    "not bound to vfio-pci") + ", nothing to do");
                continue;
            }
            if (dryRun)
            {
                out.println(address + ": would run");
                print(plans.get(i));
                continue;
            }
            final List<Action> done = plan(address, false);
            out.println(address + ": ran");
            print(done);
            out.println(address + ": " + verify(address));
        }
        out.flush();
        return ExitCodes.OK;
    }

    private List<Action> plan(final String address, final boolean dryRun)
    {
        try
        {
            return destination == Destination.VFIO ? setup.bindToVfio(address, dryRun) :
                setup.returnToKernel(address, dryRun);
        }
        catch (final VfioSetupException ex)
        {
            throw refused(ex);
        }
        catch (final UncheckedIOException ex)
        {
            throw new CliFailure(ex.getMessage() + ": " + FailureReporter.describe(ex.getCause()));
        }
    }

    /**
     * What the function is bound to now; a failure if it is not where it was sent. The kernel binds during the
     * write to drivers_probe, but the link is read for up to {@link #SETTLE_NANOS} in case a driver binds later.
     */
    private String verify(final String address)
    {
        final long deadline = System.nanoTime() + SETTLE_NANOS;
        NvmeFunctionInfo now = setup.describe(address);
        while (!arrived(now) && System.nanoTime() - deadline < 0)
        {
            sleep();
            now = setup.describe(address);
        }
        final String driver = now.driver();
        if (destination == Destination.VFIO)
        {
            if (!now.boundToVfio())
            {
                throw new CliFailure(address + " is bound to " + (driver.isEmpty() ? "no driver" : driver) +
                    " after the probe, not vfio-pci; 'dmesg | tail' shows why the kernel did not bind it");
            }
            return "bound to vfio-pci; nvmeq opens it as nvme://" + address + "/1";
        }
        if (driver.isEmpty())
        {
            throw new CliFailure(address + " left vfio-pci but no driver took it: is the kernel's nvme module " +
                "loaded? As root: modprobe nvme && echo " + address + " > /sys/bus/pci/drivers_probe");
        }
        if (now.boundToVfio())
        {
            throw new CliFailure(address + " is still bound to vfio-pci after the probe; 'dmesg | tail' may say why");
        }
        return "bound to " + driver;
    }

    /** Bound to vfio-pci when sent there; bound to some other driver when sent back to the kernel. */
    private boolean arrived(final NvmeFunctionInfo function)
    {
        return destination == Destination.VFIO ? function.boundToVfio() :
            !function.boundToVfio() && !function.driver().isEmpty();
    }

    private static void sleep()
    {
        try
        {
            Thread.sleep(POLL_MILLIS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new CliFailure("interrupted while waiting for the kernel to bind a driver");
        }
    }

    private void print(final List<Action> actions)
    {
        for (final Action action : actions)
        {
            out.println("    " + action.command());
        }
    }

    /** A refusal as one line, problem and cause, then the advice on a line of its own. */
    static CliFailure refused(final VfioSetupException ex)
    {
        return new CliFailure("refused (" + ex.problem() + "): " + ex.what() + System.lineSeparator() +
            "What to do: " + ex.whatToDo());
    }
}
