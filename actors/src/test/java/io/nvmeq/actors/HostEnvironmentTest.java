package io.nvmeq.actors;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An environment nvmeq cannot run in makes {@link Nvmeq#open} throw one exception that names the fix, and the
 * host's JVM runs on. Each case runs in a JVM of its own (the test JVM has its native stub loaded already),
 * with no JVM flag but the one that breaks it.
 */
class HostEnvironmentTest
{
    @TempDir
    Path dir;

    @Test
    void aJffiExtractDirectoryThatCannotHoldTheNativeStubIsOneClearExceptionAndTheHostRunsOn()
        throws IOException, InterruptedException
    {
        final Path notADirectory = Files.writeString(dir.resolve("a-file"), "not a directory");
        final String output = runHost("-Djffi.extract.dir=" + notADirectory, "emu:memory?size=1m");
        assertTrue(output.contains("refused: EnvironmentException: nvmeq cannot load jffi"), output);
        assertTrue(output.contains("Set the system property jffi.extract.dir"), output);
        assertTrue(output.endsWith("host still running\n"), output);
    }

    @Test
    void aPlainJvmWithNoFlagsOpensTheEmulatedController() throws IOException, InterruptedException
    {
        final String output = runHost(null, "emu:memory?size=1m");
        assertTrue(output.contains("opened nvmeq emulated controller"), output);
        assertTrue(output.endsWith("host still running\n"), output);
    }

    @Test
    void aNoexecMountOfTheExtractDirectoryIsNamed()
    {
        final List<String> mounts = List.of(
            "/dev/vda / ext4 rw,relatime 0 0",
            "tmpfs /tmp tmpfs rw,nosuid,nodev,noexec,relatime 0 0",
            "tmpfs /tmp/exec tmpfs rw,relatime 0 0");
        assertEquals(" (on /tmp, mounted noexec)", HostEnvironment.describeMount("/tmp/jffi", mounts));
        assertEquals(" (mounted noexec)", HostEnvironment.describeMount("/tmp", mounts));
        assertEquals("", HostEnvironment.describeMount("/tmp/exec/jffi", mounts), "the innermost mount decides");
        assertEquals("", HostEnvironment.describeMount("/var/tmp", mounts));
    }

    private String runHost(final String jvmFlag, final String device) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (jvmFlag != null)
        {
            command.add(jvmFlag);
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(EmbeddedOpen.class.getName());
        command.add(device);
        final Path log = dir.resolve("host.out");
        final Process host = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!host.waitFor(120, TimeUnit.SECONDS))
        {
            host.destroyForcibly();
            throw new AssertionError("the host JVM did not finish within 120 s: " + Files.readString(log));
        }
        final String output = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(0, host.exitValue(), output);
        final StringBuilder ours = new StringBuilder();
        for (final String line : output.split("\n"))
        {
            if (line.startsWith("opened ") || line.startsWith("refused: ") || line.equals("host still running"))
            {
                ours.append(line).append('\n');
            }
        }
        return ours.toString();
    }
}
