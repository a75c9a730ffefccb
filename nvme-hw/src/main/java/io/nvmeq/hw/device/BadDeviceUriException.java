package io.nvmeq.hw.device;

/**
 * A device URI that does not parse. The message names the URI and the part that is wrong, then lists
 * the accepted forms (those of every {@link DeviceProvider} on the class path).
 */
public final class BadDeviceUriException extends IllegalArgumentException
{
    private static final long serialVersionUID = 1L;

    private final String uri;
    private final String problem;

    public BadDeviceUriException(final String uri, final String problem)
    {
        super("bad device URI '" + uri + "': " + problem + System.lineSeparator() + DeviceProviders.acceptedForms());
        this.uri = uri;
        this.problem = problem;
    }

    /** The forms {@link DeviceUri#parse(String)} accepts, as shown in every error. */
    public static String acceptedForms()
    {
        return DeviceProviders.acceptedForms();
    }

    /** The URI as given. */
    public String uri()
    {
        return uri;
    }

    /** What is wrong with it, without the list of accepted forms. */
    public String problem()
    {
        return problem;
    }
}
