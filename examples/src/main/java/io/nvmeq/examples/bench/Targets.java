package io.nvmeq.examples.bench;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

import io.nvmeq.actors.NvmeqSettings;
import io.nvmeq.actors.remote.RemoteUri;
import io.nvmeq.hw.device.DeviceUri;
import io.nvmeq.hw.emu.EmulatedUri;
import io.nvmeq.hw.emu.EmulatorConfig;

/** Opens the {@link BenchTarget} an engine and a device URI name, refusing combinations that make no sense. */
final class Targets
{
    private Targets()
    {
    }

    /** The engine a device implies when none is named: posix for posix: URIs, else the actor path. */
    static EngineKind defaultEngine(final String device)
    {
        return DeviceUri.parse(device) instanceof DeviceUri.Posix ? EngineKind.POSIX : EngineKind.ACTORS;
    }

    /** False for emu:null, which drops writes and reads zeroes. */
    static boolean movesData(final String device)
    {
        return !(DeviceUri.parse(device) instanceof EmulatedUri emulated) ||
            emulated.config().backend() != EmulatorConfig.Backend.NULL;
    }

    /**
     * @param jobs    queue pairs to open (one per job)
     * @param iodepth outstanding I/Os per job, so that queues are large enough
     * @throws IllegalArgumentException when the engine cannot drive the device
     */
    static BenchTarget open(final EngineKind engine, final String device, final ClientPlacement placement,
        final int jobs, final int iodepth) throws IOException
    {
        final DeviceUri uri = DeviceUri.parse(device);
        if (uri instanceof RemoteUri)
        {
            if (engine != EngineKind.ACTORS)
            {
                throw new IllegalArgumentException("--engine " + engine.cliName() + " cannot drive " + device +
                    ": a remote namespace is reached through its server's queue-pair actors (--engine actors)");
            }
            return new RemoteTarget(device);
        }
        if (engine == EngineKind.POSIX)
        {
            if (!(uri instanceof DeviceUri.Posix posix))
            {
                throw new IllegalArgumentException("--engine posix reads and writes a file through the kernel: name " +
                    "it with --device posix:/path/to/file (e.g. posix:/dev/shm/nvmeq.dat)");
            }
            return new PosixTarget(posix.path(), false);
        }
        if (uri instanceof DeviceUri.Posix)
        {
            throw new IllegalArgumentException("--engine " + engine.cliName() + " drives an NVMe controller; " +
                device + " is a file for --engine posix");
        }
        if (engine == EngineKind.RAW)
        {
            return new RawTarget(device, jobs, iodepth);
        }
        final NvmeqSettings settings = NvmeqSettings.load()
            .withDevice(device)
            .withQueuePairs(jobs)
            .withQueueEntries(Math.max(256, iodepth + 1));
        if (engine == EngineKind.SYNC)
        {
            // The actors' queue pairs stay idle; each job's thread opens a thread queue of its own.
            return new SyncTarget(settings.withQueuePairs(1));
        }
        return new ActorTarget(settings, placement);
    }

    /** The project version Maven filtered into the jar. */
    static String version()
    {
        final Properties properties = new Properties();
        try (InputStream in = Targets.class.getResourceAsStream("/io/nvmeq/examples/version.properties"))
        {
            if (in != null)
            {
                properties.load(in);
            }
        }
        catch (final IOException ex)
        {
            return "unknown";
        }
        return properties.getProperty("version", "unknown");
    }
}
