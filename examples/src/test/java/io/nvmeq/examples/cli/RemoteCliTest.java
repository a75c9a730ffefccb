package io.nvmeq.examples.cli;

import static io.nvmeq.examples.cli.CliRun.nvmeq;
import static io.nvmeq.examples.cli.CliRun.withStdin;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code nvmeq serve} in one JVM and the command line's identify, write and read on its {@code remote://} URI in
 * this one: the same commands, the same output, the data verified across the two processes.
 */
class RemoteCliTest
{
    private static ServeProcess server;
    private static String uri;

    @BeforeAll
    static void serve() throws Exception
    {
        final int port = ServeProcess.freePort();
        server = ServeProcess.start("--device", "emu:memory?size=16m&serial=REMOTECLI", "--bind", "127.0.0.1:" + port,
            "--queue-pairs", "2");
        uri = server.uri();
        assertEquals("remote://127.0.0.1:" + port + "/REMOTECLI/1", uri);
    }

    @AfterAll
    static void stop() throws Exception
    {
        if (server != null)
        {
            server.close();
        }
    }

    @Test
    void identifyShowsTheServedController()
    {
        final CliRun identify = nvmeq("identify", uri);
        assertEquals(0, identify.exitCode(), identify::toString);
        assertTrue(identify.out().contains("REMOTECLI"), identify::toString);
        final CliRun ns = nvmeq("id-ns", uri);
        assertEquals(0, ns.exitCode(), ns::toString);
        final CliRun other = nvmeq("id-ns", uri, "-n", "2");
        assertEquals(ExitCodes.USAGE, other.exitCode(), "-n contradicting the URI's namespace: " + other);
    }

    @Test
    void dataWrittenThroughTheCommandLineReadsBackAcrossProcesses()
    {
        final byte[] data = new byte[700 * 1024];
        new SplittableRandom(15).nextBytes(data);
        final CliRun write = withStdin(data, "write", uri, "-s", "64", "-z", Integer.toString(data.length), "-d", "-");
        assertEquals(0, write.exitCode(), write::toString);
        final CliRun read = nvmeq("read", uri, "-s", "64", "-z", Integer.toString(data.length), "-d", "-");
        assertEquals(0, read.exitCode(), read::toString);
        assertArrayEquals(data, read.data());
    }
}
