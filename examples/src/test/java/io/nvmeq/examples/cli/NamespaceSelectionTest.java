package io.nvmeq.examples.cli;

import static io.nvmeq.examples.cli.CliRun.nvmeq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** The namespace a user names is the one written: -n on the emulator, the URI's on nvme://, never a silent 1. */
class NamespaceSelectionTest
{
    @TempDir
    Path dir;

    private String twoNamespaces()
    {
        return "emu:file:" + dir.resolve("two.img").toAbsolutePath() + "?size=1m&bs=512&namespaces=2";
    }

    @Test
    void aWriteToNamespaceTwoChangesNamespaceTwoAndNotNamespaceOne()
    {
        final CliRun write = nvmeq("write", twoNamespaces(), "-n", "2", "-s", "0", "-c", "1", "--pattern", "0xCD");
        assertEquals(0, write.exitCode(), write::toString);
        assertTrue(write.err().contains("of namespace 2"), write::toString);

        final CliRun two = nvmeq("read", twoNamespaces(), "-n", "2", "-s", "0", "-c", "1");
        assertTrue(two.out().startsWith("00000000  cd cd cd cd"), two::toString);
        final CliRun one = nvmeq("read", twoNamespaces(), "-n", "1", "-s", "0", "-c", "1");
        assertTrue(one.out().startsWith("00000000  00 00 00 00"), one::toString);
        final CliRun byDefault = nvmeq("read", twoNamespaces(), "-s", "0", "-c", "1");
        assertTrue(byDefault.out().startsWith("00000000  00 00 00 00"), "without -n an emu: device means 1");
    }

    @Test
    void theNamespaceOfAnNvmeUriIsTheOneUsedAndAContradictingNIsRefused()
    {
        final CommandSpec spec = CommandSpec.create();
        new CommandLine(spec);
        assertEquals(2, DeviceOption.namespace(spec, "nvme://0000:00:03.0/2", null));
        assertEquals(2, DeviceOption.namespace(spec, "nvme://0000:00:03.0/2", 2));
        final ParameterException contradiction =
            assertThrows(ParameterException.class, () -> DeviceOption.namespace(spec, "nvme://0000:00:03.0/2", 1));
        assertTrue(contradiction.getMessage().contains("names namespace 2"), contradiction::getMessage);
        assertEquals(1, DeviceOption.namespace(spec, "emu:memory", null));
        assertEquals(3, DeviceOption.namespace(spec, "emu:memory?namespaces=4", 3));
    }

    @Test
    void aContradictingNIsAUsageErrorInReadWriteIdentifyAndBench()
    {
        for (final String[] args : new String[][] {
            {"write", "nvme://0000:ff:1f.7/2", "-n", "1", "-s", "0", "-c", "1", "--pattern", "0xCD"},
            {"read", "nvme://0000:ff:1f.7/2", "-n", "1", "-s", "0", "-c", "1"},
            {"identify", "nvme://0000:ff:1f.7/2", "-n", "1"},
            {"id-ns", "nvme://0000:ff:1f.7/2", "-n", "1"},
            {"bench", "--device", "nvme://0000:ff:1f.7/2", "-n", "1", "--rw", "read", "--runtime", "1s"}})
        {
            final CliRun run = nvmeq(args);
            assertEquals(ExitCodes.USAGE, run.exitCode(), run::toString);
            assertTrue(run.err().contains("contradicts the device nvme://0000:ff:1f.7/2"), run::toString);
        }
    }

    @Test
    void quickstartRefusesToWriteANamespaceOtherThanTheOneItSays()
    {
        final CliRun run = nvmeq("quickstart", "nvme://0000:ff:1f.7/2");
        assertEquals(ExitCodes.USAGE, run.exitCode(), run::toString);
        assertTrue(run.err().contains("quickstart writes namespace 1"), run::toString);
    }

    @Test
    void quickstartRefusesARemoteNamespaceBeforeOpeningIt()
    {
        final CliRun run = nvmeq("quickstart", "remote://127.0.0.1:1/S/1");
        assertEquals(ExitCodes.USAGE, run.exitCode(), run::toString);
        assertTrue(run.err().contains("served over the network"), run::toString);
    }

    @Test
    void faultInjectionOnARealControllerSaysItNeedsAnEmulatedOne()
    {
        final CliRun run = nvmeq("faults", "--device", "nvme://0000:00:03.0/1", "--fault-rate", "0.01");
        assertEquals(ExitCodes.USAGE, run.exitCode(), run::toString);
        assertTrue(run.err().startsWith("nvmeq: fault injection (--fault-rate) needs an emulated device"), run::toString);
        assertTrue(!run.err().contains("decimal"), run::toString);
    }
}
