package io.nvmeq.examples.cli;

import io.nvmeq.actors.Nvmeq;
import io.nvmeq.actors.remote.RemoteUri;
import io.nvmeq.hw.device.BadDeviceUriException;
import io.nvmeq.hw.device.DeviceUri;
import io.nvmeq.hw.emu.EmulatedUri;
import io.nvmeq.hw.vfio.VfioUri;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Which controller a command talks to: {@code --device URI} or the URI as the first positional argument, as
 * nvme-cli takes its device ({@code nvmeq identify emu:memory}). Exactly one of the two is needed, and the URI is
 * parsed before anything is opened, so that a malformed one is a usage error (exit 2) at once.
 *
 * <p>The namespace of a command comes from here too: an {@code nvme://BDF/NSID} URI names its namespace, and a
 * {@code -n} that says otherwise is refused rather than silently preferred (or silently ignored).
 */
public final class DeviceOption
{
    @Spec(Spec.Target.MIXEE)
    private CommandSpec mixee;

    @Option(
        names = "--device",
        paramLabel = "URI",
        description = {
            "The device (or give it as the first argument), one of:",
            "  emu:memory[?size=64m&...]  emulated, data in memory",
            "  emu:file:/abs/path[?...]   emulated, data in a file",
            "  emu:null[?...]             emulated, moves no data",
            "  nvme://DDDD:BB:DD.F/NSID   PCI device on vfio-pci, namespace NSID",
            "  remote://HOST:PORT/SERIAL/NSID  a namespace served by 'nvmeq serve' in HOST:PORT's cluster",
            "emu:memory data lives only as long as this process; use emu:file: to keep it between commands."
        })
    String option;

    @Parameters(
        index = "0",
        arity = "0..1",
        paramLabel = "DEVICE",
        description = "The device URI, as --device takes it.")
    String positional;

    /**
     * The device URI the command line names, checked.
     *
     * @throws ParameterException when none or two different ones are given, or the URI is malformed
     */
    public String uri()
    {
        if (option != null && positional != null && !option.equals(positional))
        {
            throw usage("two devices given: --device " + option + " and " + positional + "; name one");
        }
        final String uri = option != null ? option : positional;
        if (uri == null)
        {
            throw usage("Missing required device: give it as the first argument or with --device URI");
        }
        parse(mixee, uri);
        return uri;
    }

    /** As {@link #uri()}, but null when no device is named (for commands with a default device). */
    public String uriOrNull()
    {
        return option == null && positional == null ? null : uri();
    }

    /**
     * The namespace to use: the one of an {@code nvme://BDF/NSID} URI, or {@code requested} (-n), or 1.
     *
     * @param requested the {@code -n} of the command, null when not given
     * @throws ParameterException when {@code requested} is below 1 or contradicts the URI's namespace
     */
    public int namespace(final Integer requested)
    {
        return namespace(mixee, uri(), requested);
    }

    /** Opens the device, local or {@code remote://}; the URI is checked first ({@link #uri()}). */
    Nvmeq open()
    {
        return Nvmeq.open(uri());
    }

    /**
     * The namespace a command with device {@code uri} and {@code -n requested} (null: not given) works on. For
     * commands that hold their device URI in an option of their own.
     */
    public static int namespace(final CommandSpec spec, final String uri, final Integer requested)
    {
        if (requested != null && requested < 1)
        {
            throw new ParameterException(spec.commandLine(), "--namespace-id must be 1 or more, not " + requested);
        }
        if (parse(spec, uri) instanceof VfioUri vfio)
        {
            if (requested != null && requested != vfio.namespace())
            {
                throw new ParameterException(spec.commandLine(), "--namespace-id " + requested +
                    " contradicts the device " + uri + ", which names namespace " + vfio.namespace() +
                    "; drop -n or name the namespace in the URI");
            }
            return vfio.namespace();
        }
        if (parse(spec, uri) instanceof RemoteUri remote)
        {
            if (requested != null && requested != remote.nsid())
            {
                throw new ParameterException(spec.commandLine(), "--namespace-id " + requested +
                    " contradicts the device " + uri + ", which names namespace " + remote.nsid() +
                    "; drop -n or name the namespace in the URI");
            }
            return remote.nsid();
        }
        return requested != null ? requested : 1;
    }

    /**
     * Refuses a device that is not emulated, for a feature only the emulated controller has ({@code what}, e.g.
     * "fault injection (--fault-rate)"), before anything is appended to or opened from the URI.
     */
    public static void requireEmulated(final CommandSpec spec, final String uri, final String what)
    {
        if (!(parse(spec, uri) instanceof EmulatedUri))
        {
            throw new ParameterException(spec.commandLine(), what + " needs an emulated device (emu:memory, " +
                "emu:file:/abs/path or emu:null), not " + uri);
        }
    }

    /** @throws ParameterException (exit status 2) with the parser's message, which lists the accepted forms */
    static DeviceUri parse(final CommandSpec spec, final String uri)
    {
        try
        {
            return DeviceUri.parse(uri);
        }
        catch (final BadDeviceUriException ex)
        {
            throw new ParameterException(spec.commandLine(), ex.getMessage(), ex);
        }
    }

    private ParameterException usage(final String message)
    {
        return new ParameterException(mixee.commandLine(), message);
    }
}
