package io.nvmeq.examples.cli;

import static io.nvmeq.examples.cli.CliRun.nvmeq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nvmeq setup} run in-process against a fake sysfs/procfs tree (the hidden {@code --sysfs-root}): what it
 * lists, the writes it plans and does, what it refuses with nothing changed, and that it reads back where the
 * kernel actually put a function.
 */
class SetupCommandTest
{
    private static final String FREE = "0000:44:00.0";
    private static final String MOUNTED = "0000:46:00.0";
    private static final String VFIO = "0000:45:00.0";

    @TempDir
    Path root;

    private FakeSysfs tree;

    @BeforeEach
    void machine()
    {
        tree = new FakeSysfs(root)
            .nvme(FREE).driver(FREE, "nvme").group(FREE, 20)
            .nvme(VFIO).driver(VFIO, "vfio-pci").group(VFIO, 21)
            .nvme(MOUNTED).driver(MOUNTED, "nvme").group(MOUNTED, 22)
            .function("0000:00:1f.0", "0x060100")
            .vfioLoaded(21)
            .file("proc/mounts", "/dev/sda1 / ext4 rw 0 0\n/dev/nvme1n1p2 /data xfs rw 0 0\n")
            .file("proc/swaps", "Filename\tType\tSize\tUsed\tPriority\n")
            .file("proc/sys/vm/nr_hugepages", "0\n")
            .file("sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", "0\n");
        tree.mkdirs("sys/devices/pci0000:00/" + FREE + "/nvme/nvme0/nvme0n1");
        tree.mkdirs("sys/devices/pci0000:00/" + MOUNTED + "/nvme/nvme1/nvme1n1/nvme1n1p2");
    }

    private CliRun setup(final String... args)
    {
        final String[] all = new String[args.length + 3];
        all[0] = "setup";
        System.arraycopy(args, 0, all, 1, args.length);
        all[args.length + 1] = "--sysfs-root";
        all[args.length + 2] = root.toString();
        return nvmeq(all);
    }

    private Path device(final String address, final String file)
    {
        return root.resolve("sys/devices/pci0000:00/" + address + "/" + file);
    }

    private String driverOf(final String address) throws IOException
    {
        return Files.readSymbolicLink(device(address, "driver")).getFileName().toString();
    }

    @Test
    void listShowsEachNvmeFunctionWithDriverGroupBlockDevicesAndStatus()
    {
        final CliRun run = setup("list");
        assertEquals(0, run.exitCode(), run::toString);
        final String[] lines = run.out().split("\\R");
        assertTrue(lines[0].matches("BDF +DRIVER +IOMMU GROUP +BLOCK DEVICES +STATUS"), run::toString);
        assertTrue(lines[1].matches("0000:44:00\\.0 +nvme +20 +nvme0n1 +not in use: 'nvmeq setup bind 0000:44:00\\.0' .*"),
            run::toString);
        assertTrue(lines[2].matches("0000:45:00\\.0 +vfio-pci +21 +- +ready for nvmeq: nvme://0000:45:00\\.0/1"),
            run::toString);
        assertTrue(lines[3].matches("0000:46:00\\.0 +nvme +22 +nvme1n1,nvme1n1p2 +in use, kept by the kernel: " +
            "/dev/nvme1n1p2 is mounted on /data"), run::toString);
        assertFalse(run.out().contains("0000:00:1f.0"), "not NVMe: " + run);
        assertTrue(run.out().contains("vfio-pci: loaded"), run::toString);
        assertTrue(run.out().contains("hugepages (2 MiB): 0 reserved, 0 free"), run::toString);
    }

    @Test
    void listWithoutNvmeFunctionsOrVfioSaysSo(@TempDir final Path empty)
    {
        new FakeSysfs(empty).function("0000:00:1f.0", "0x060100");
        final CliRun run = nvmeq("setup", "list", "--sysfs-root", empty.toString());
        assertEquals(0, run.exitCode(), run::toString);
        assertTrue(run.out().startsWith("No NVMe functions (PCI class 0x0108xx) in "), run::toString);
        assertTrue(run.out().contains("vfio-pci: not loaded ('modprobe vfio-pci' as root)"), run::toString);
        assertTrue(run.out().contains("hugepages (2 MiB): unknown"), run::toString);
    }

    @Test
    void aDryRunBindPrintsTheWritesAndChangesNothing()
    {
        final CliRun run = setup("bind", "--dry-run", FREE, "45:00.0");
        assertEquals(0, run.exitCode(), run::toString);
        assertEquals(String.join("\n",
            FREE + ": would run",
            "    echo " + FREE + " > " + root.resolve("sys/bus/pci/devices/" + FREE + "/driver/unbind"),
            "    echo vfio-pci > " + root.resolve("sys/bus/pci/devices/" + FREE + "/driver_override"),
            "    echo " + FREE + " > " + root.resolve("sys/bus/pci/drivers_probe"),
            VFIO + ": already bound to vfio-pci, nothing to do", ""), run.out().replace("\r\n", "\n"));
        assertFalse(Files.exists(device(FREE, "driver_override")));
        assertFalse(Files.exists(root.resolve("sys/bus/pci/drivers/nvme/unbind")));
        assertFalse(Files.exists(root.resolve("sys/bus/pci/drivers_probe")));
    }

    @Test
    void bindAndUnbindMoveTheFunctionAndReadBackWhereTheKernelPutIt() throws IOException, InterruptedException
    {
        try (FakeKernelProbe kernel = new FakeKernelProbe(tree))
        {
            final CliRun bind = setup("bind", FREE);
            assertEquals(0, bind.exitCode(), bind::toString);
            assertEquals("vfio-pci", driverOf(FREE));
            assertEquals("vfio-pci\n", Files.readString(device(FREE, "driver_override")));
            assertEquals(FREE + "\n", Files.readString(root.resolve("sys/bus/pci/drivers/nvme/unbind")));
            assertTrue(bind.out().endsWith(FREE + ": bound to vfio-pci; nvmeq opens it as nvme://" + FREE + "/1\n"),
                bind::toString);

            final CliRun unbind = setup("unbind", FREE);
            assertEquals(0, unbind.exitCode(), unbind::toString);
            assertEquals("nvme", driverOf(FREE));
            assertEquals("\n", Files.readString(device(FREE, "driver_override")));
            assertTrue(unbind.out().endsWith(FREE + ": bound to nvme\n"), unbind::toString);
        }
    }

    @Test
    void aProbeThatBindsNothingIsReportedAsAFailure() throws IOException
    {
        final CliRun run = setup("bind", FREE);
        assertEquals(ExitCodes.FAILED, run.exitCode(), run::toString);
        assertEquals("vfio-pci\n", Files.readString(device(FREE, "driver_override")), "the writes were done");
        assertEquals("nvmeq: " + FREE + " is bound to nvme after the probe, not vfio-pci; 'dmesg | tail' shows why " +
            "the kernel did not bind it", run.err().trim(), run::toString);
    }

    @Test
    void aMountedNamespaceRefusesTheWholeBindWithOneLineAndChangesNothing()
    {
        final CliRun run = setup("bind", FREE, MOUNTED);
        assertEquals(ExitCodes.FAILED, run.exitCode(), run::toString);
        final String[] lines = run.err().split("\\R");
        assertEquals("nvmeq: refused (DEVICE_IN_USE): " + MOUNTED + " is in use by the kernel: /dev/nvme1n1p2 is " +
            "mounted on /data", lines[0], run::toString);
        assertTrue(lines[1].startsWith("What to do: unmount its filesystems"), run::toString);
        assertEquals(2, lines.length, run::toString);
        assertTrue(run.out().isEmpty(), run::toString);
        assertFalse(Files.exists(device(FREE, "driver_override")), "the free function named first is untouched too");
        assertFalse(Files.exists(root.resolve("sys/bus/pci/drivers/nvme/unbind")));
    }

    @Test
    void swapCountsAsInUse()
    {
        tree.file("proc/swaps", "Filename\tType\tSize\tUsed\tPriority\n/dev/nvme0n1 partition\t1000\t0\t-2\n");
        final CliRun run = setup("bind", "--dry-run", FREE);
        assertEquals(ExitCodes.FAILED, run.exitCode(), run::toString);
        assertTrue(run.err().startsWith("nvmeq: refused (DEVICE_IN_USE): " + FREE + " is in use by the kernel: " +
            "/dev/nvme0n1 is used as swap"), run::toString);
    }

    @Test
    void unknownAndNonNvmeFunctionsAreRefused()
    {
        final CliRun missing = setup("bind", "0000:99:00.0");
        assertEquals(ExitCodes.FAILED, missing.exitCode(), missing::toString);
        assertTrue(missing.err().startsWith("nvmeq: refused (DEVICE_NOT_FOUND): there is no PCI function 0000:99:00.0"),
            missing::toString);
        final CliRun bridge = setup("unbind", "0000:00:1f.0");
        assertEquals(ExitCodes.FAILED, bridge.exitCode(), bridge::toString);
        assertTrue(bridge.err().startsWith("nvmeq: refused (NOT_NVME): 0000:00:1f.0 is not an NVMe controller"),
            bridge::toString);
    }

    @Test
    void malformedAddressesAreUsageErrorsAndNeverReachSysfs()
    {
        for (final String bad : new String[] {"../../../etc", "0000:44:00", "0000:44:00.8", "nvme0"})
        {
            final CliRun run = setup("bind", bad);
            assertEquals(ExitCodes.USAGE, run.exitCode(), run::toString);
            assertTrue(run.err().contains("'" + bad + "' is not a PCI address"), run::toString);
        }
        assertEquals(ExitCodes.USAGE, setup("bind").exitCode(), "no address");
        assertEquals(ExitCodes.USAGE, nvmeq("setup").exitCode(), "no subcommand");
    }

    @Test
    void unbindOfAFunctionNotOnVfioDoesNothing()
    {
        final CliRun run = setup("unbind", FREE);
        assertEquals(0, run.exitCode(), run::toString);
        assertEquals(FREE + ": not bound to vfio-pci, nothing to do", run.out().trim());
        assertFalse(Files.exists(device(FREE, "driver_override")));
    }

    @Test
    void hugepagesAreReservedAndReadBack() throws IOException
    {
        final Path count = root.resolve("proc/sys/vm/nr_hugepages");
        final CliRun dry = setup("hugepages", "--dry-run", "512");
        assertEquals(0, dry.exitCode(), dry::toString);
        assertEquals("would run: echo 512 > " + count, dry.out().trim());
        assertEquals("0\n", Files.readString(count));

        final CliRun run = setup("hugepages", "512");
        assertEquals(0, run.exitCode(), run::toString);
        assertEquals("512\n", Files.readString(count));
        assertTrue(run.out().contains("512 hugepages of 2 MiB reserved (1024 MiB)"), run::toString);

        final CliRun negative = setup("hugepages", "-1");
        assertEquals(ExitCodes.USAGE, negative.exitCode(), negative::toString);
        assertTrue(negative.err().startsWith("nvmeq: N must be 0 or more hugepages, not -1"), negative::toString);
        assertEquals("512\n", Files.readString(count), "a refused count changes nothing");
    }

    @Test
    void theSysfsRootOptionIsHidden()
    {
        final CliRun help = nvmeq("setup", "list", "--help");
        assertEquals(0, help.exitCode(), help::toString);
        assertFalse(help.out().contains("sysfs-root"), help::toString);
    }
}
