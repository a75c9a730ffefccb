package io.nvmeq.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code nvmeq} launcher that the build puts beside {@code nvmeq.jar}: it runs the jar next to it, with the
 * arguments as given, also when it is reached through a symbolic link on the PATH. A stand-in {@code java}
 * records how it was called.
 */
class LauncherScriptTest
{
    private static final Path SCRIPT = Path.of("src/main/launcher/nvmeq").toAbsolutePath();

    @TempDir
    Path dir;

    @Test
    void theLauncherRunsTheJarBesideItWithTheArgumentsAsGiven() throws Exception
    {
        assertTrue(Files.isExecutable(SCRIPT), SCRIPT + " must be executable");
        final Path target = Files.createDirectories(dir.resolve("target"));
        final Path launcher = Files.copy(SCRIPT, target.resolve("nvmeq"));
        final Path bin = Files.createDirectories(dir.resolve("bin"));
        final Path onPath = Files.createSymbolicLink(bin.resolve("nvmeq"), launcher);
        final Path fakeJava = bin.resolve("java");
        final Path calls = dir.resolve("calls.txt");
        Files.writeString(fakeJava, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > " + calls + "\n");
        Files.setPosixFilePermissions(fakeJava, PosixFilePermissions.fromString("rwxr-xr-x"));

        final ProcessBuilder builder = new ProcessBuilder(onPath.toString(), "read", "emu:memory", "-s", "0", "-d", "a b");
        builder.environment().put("PATH", bin + ":/usr/bin:/bin");
        builder.redirectErrorStream(true);
        final Process process = builder.start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the launcher did not finish");
        assertEquals(0, process.exitValue(), output);
        assertEquals(List.of("-jar", target.toRealPath().resolve("nvmeq.jar").toString(), "read", "emu:memory", "-s",
            "0", "-d", "a b"), Files.readAllLines(calls));
    }

    @Test
    void theLauncherPassesTheExitStatusOn() throws IOException, InterruptedException
    {
        final Path bin = Files.createDirectories(dir.resolve("bin"));
        final Path fakeJava = bin.resolve("java");
        Files.writeString(fakeJava, "#!/bin/sh\nexit 3\n");
        Files.setPosixFilePermissions(fakeJava, PosixFilePermissions.fromString("rwxr-xr-x"));
        final ProcessBuilder builder = new ProcessBuilder(SCRIPT.toString(), "quickstart");
        builder.environment().put("PATH", bin + ":/usr/bin:/bin");
        final Process process = builder.start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(ExitCodes.MISMATCH, process.exitValue());
    }
}
