package io.nvmeq.hw.device;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/** The {@link DeviceProvider}s on the class path, by scheme; loaded once. */
public final class DeviceProviders
{
    private static final List<DeviceProvider> PROVIDERS = load();
    private static final String ACCEPTED_FORMS = acceptedForms(PROVIDERS);

    private DeviceProviders()
    {
    }

    /** Every provider, ordered by scheme. */
    public static List<DeviceProvider> all()
    {
        return PROVIDERS;
    }

    /** The provider of {@code scheme} (any case), or null if none is on the class path. */
    public static DeviceProvider forScheme(final String scheme)
    {
        final String lower = scheme.toLowerCase(Locale.ROOT);
        for (final DeviceProvider provider : PROVIDERS)
        {
            if (provider.scheme().equals(lower))
            {
                return provider;
            }
        }
        return null;
    }

    /** "accepted device URIs:" and every provider's forms, one per line. */
    public static String acceptedForms()
    {
        return ACCEPTED_FORMS;
    }

    /** The prefixes of all schemes for a sentence: {@code emu:, nvme:// or posix:}. */
    static String prefixes()
    {
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < PROVIDERS.size(); i++)
        {
            if (i > 0)
            {
                text.append(i == PROVIDERS.size() - 1 ? " or " : ", ");
            }
            text.append(PROVIDERS.get(i).prefix());
        }
        return text.toString();
    }

    private static List<DeviceProvider> load()
    {
        final List<DeviceProvider> providers = new ArrayList<>();
        try
        {
            for (final DeviceProvider provider : ServiceLoader.load(DeviceProvider.class, DeviceProvider.class.getClassLoader()))
            {
                for (final DeviceProvider known : providers)
                {
                    if (known.scheme().equals(provider.scheme()))
                    {
                        throw new IllegalStateException("two device providers for scheme '" + provider.scheme() + "': "
                            + known.getClass().getName() + " and " + provider.getClass().getName());
                    }
                }
                providers.add(provider);
            }
        }
        catch (final ServiceConfigurationError ex)
        {
            throw new IllegalStateException("a device provider named in META-INF/services cannot be loaded: "
                + ex.getMessage(), ex);
        }
        providers.sort(Comparator.comparing(DeviceProvider::scheme));
        return List.copyOf(providers);
    }

    private static String acceptedForms(final List<DeviceProvider> providers)
    {
        final List<String> lines = new ArrayList<>();
        lines.add("accepted device URIs:");
        for (final DeviceProvider provider : providers)
        {
            lines.addAll(provider.forms());
        }
        return String.join(System.lineSeparator(), lines);
    }
}
