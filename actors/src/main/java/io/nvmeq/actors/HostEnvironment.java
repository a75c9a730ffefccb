package io.nvmeq.actors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.nvmeq.hw.nativeio.CpuAffinity;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Checks, on the thread that calls {@link Nvmeq#open} and before any actor starts, the two things a host
 * JVM can lack: an Agrona that works without JVM flags, and jnr-ffi's native stub (jffi), which is
 * unpacked into a temporary directory and loaded from there. Either failing on an actor thread would be a
 * {@link LinkageError}, which Akka treats as fatal; here it becomes one {@link EnvironmentException}
 * that names the fix, and the host carries on.
 */
final class HostEnvironment
{
    private HostEnvironment()
    {
    }

    /** @throws EnvironmentException if nvmeq cannot run in this JVM */
    static void check()
    {
        checkAgrona();
        checkNativeAccess();
    }

    private static void checkAgrona()
    {
        try
        {
            // Agrona 1.x's entry to sun.misc.Unsafe, which nvmeq's emulated stores call; Agrona 2.x removed it.
            Class.forName("org.agrona.UnsafeAccess", true, HostEnvironment.class.getClassLoader());
            new UnsafeBuffer(new byte[Long.BYTES]).putLongVolatile(0, 1L);
        }
        catch (final ClassNotFoundException | LinkageError ex)
        {
            throw new EnvironmentException("the class path holds Agrona " + version(UnsafeBuffer.class) + ", but nvmeq " +
                "needs Agrona 1.x, which reaches Unsafe without JVM flags (" + ex + "): pin org.agrona:agrona to " +
                "1.23.1 in your build (Agrona 2.x needs --add-exports java.base/jdk.internal.misc=ALL-UNNAMED and " +
                "lacks the API nvmeq uses)", ex);
        }
    }

    private static void checkNativeAccess()
    {
        try
        {
            CpuAffinity.currentThreadId();
        }
        catch (final LinkageError ex)
        {
            final String extractDir = System.getProperty("jffi.extract.dir", System.getProperty("java.io.tmpdir"));
            throw new EnvironmentException("nvmeq cannot load jffi, the native stub of jnr-ffi through which it " +
                "calls libc (" + rootMessage(ex) + "). jffi unpacks it into " + extractDir + describeMount(extractDir) +
                " and loads it from there: that directory must be writable and on a filesystem not mounted noexec. " +
                "Set the system property jffi.extract.dir to such a directory (-Djffi.extract.dir=..., or " +
                "System.setProperty before the first Nvmeq.open)", ex);
        }
    }

    private static String version(final Class<?> type)
    {
        final String version = type.getPackage().getImplementationVersion();
        return version == null ? "(unknown version)" : version;
    }

    private static String rootMessage(final Throwable error)
    {
        Throwable cause = error;
        while (cause.getCause() != null && cause.getCause() != cause)
        {
            cause = cause.getCause();
        }
        return cause == error ? String.valueOf(error) : error + ", caused by " + cause;
    }

    /** " (on /tmp, mounted noexec)" from /proc/self/mounts where the directory's mount is noexec, else "". */
    static String describeMount(final String directory)
    {
        if (directory == null)
        {
            return "";
        }
        final List<String> mounts;
        try
        {
            mounts = Files.readAllLines(Path.of("/proc/self/mounts"));
        }
        catch (final IOException | RuntimeException ex)
        {
            return "";
        }
        return describeMount(directory, mounts);
    }

    /** The same, from the lines of a mounts table ("device mount-point type options ..."). */
    static String describeMount(final String directory, final List<String> mounts)
    {
        final Path target = Path.of(directory).toAbsolutePath().normalize();
        String bestMount = null;
        boolean noexec = false;
        for (final String line : mounts)
        {
            final String[] fields = line.split(" ");
            if (fields.length < 4)
            {
                continue;
            }
            final Path mountPoint = Path.of(fields[1].replace("\\040", " "));
            if (target.startsWith(mountPoint) && (bestMount == null || mountPoint.getNameCount() >= Path.of(bestMount).getNameCount()))
            {
                bestMount = mountPoint.toString();
                noexec = List.of(fields[3].split(",")).contains("noexec");
            }
        }
        if (!noexec)
        {
            return "";
        }
        return target.equals(Path.of(bestMount)) ? " (mounted noexec)" : " (on " + bestMount + ", mounted noexec)";
    }
}
