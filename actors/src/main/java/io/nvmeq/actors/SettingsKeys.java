package io.nvmeq.actors;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;

/**
 * Refuses keys in the {@code nvmeq} block that nvmeq does not know: a misspelt key would otherwise be
 * ignored silently and its default used. The known keys are those of nvmeq's own {@code reference.conf};
 * blocks that hold Akka settings ({@code nvmeq.akka}, the dispatcher templates and the per-CPU dispatchers
 * an application defines) take any key.
 */
final class SettingsKeys
{
    /** Blocks under {@code nvmeq} whose contents are Akka's to check, not nvmeq's. */
    private static final Pattern FREE_FORM = Pattern.compile(
        "akka|cpu-dispatcher-template|self-poll-dispatcher-template|cpu-dispatcher-\\d+|self-poll-dispatcher-\\d+");

    private static volatile Set<String> known;

    private SettingsKeys()
    {
    }

    /** @throws UnknownSettingException for the first (in key order) unknown key under {@code nvmeq} */
    static void check(final Config config)
    {
        if (!config.hasPath("nvmeq"))
        {
            return;
        }
        final Config nvmeq = config.getConfig("nvmeq");
        final Set<String> knownKeys = knownKeys();
        final Set<String> keys = new TreeSet<>();
        for (final Map.Entry<String, ConfigValue> entry : nvmeq.entrySet())
        {
            keys.add(entry.getKey());
        }
        for (final String key : keys)
        {
            final List<String> path = ConfigUtil.splitPath(key);
            if (!FREE_FORM.matcher(path.get(0)).matches() && !knownKeys.contains(key))
            {
                throw new UnknownSettingException(nvmeq.getValue(key).origin(), "nvmeq." + key, nearest(key, knownKeys));
            }
        }
    }

    /** The keys of nvmeq's reference.conf, relative to {@code nvmeq}, outside the free-form blocks. */
    static Set<String> knownKeys()
    {
        Set<String> keys = known;
        if (keys == null)
        {
            keys = new TreeSet<>();
            final Config reference = ConfigFactory.defaultReference(SettingsKeys.class.getClassLoader()).getConfig("nvmeq");
            for (final Map.Entry<String, ConfigValue> entry : reference.entrySet())
            {
                if (!FREE_FORM.matcher(ConfigUtil.splitPath(entry.getKey()).get(0)).matches())
                {
                    keys.add(entry.getKey());
                }
            }
            keys = Set.copyOf(keys);
            known = keys;
        }
        return keys;
    }

    /** The known key closest to {@code key} by edit distance ("nvmeq." + it), or null if none is close. */
    static String nearest(final String key, final Set<String> knownKeys)
    {
        final String lastName = last(key);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (final String candidate : knownKeys)
        {
            // The right name in the wrong block ("io-timeout" outside "recovery") is one step away.
            final int distance = last(candidate).equals(lastName) ? 1 : editDistance(key, candidate);
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best != null && bestDistance <= Math.max(3, key.length() / 3) ? "nvmeq." + best : null;
    }

    private static String last(final String key)
    {
        final List<String> path = ConfigUtil.splitPath(key);
        return path.get(path.size() - 1);
    }

    /** Levenshtein distance. */
    static int editDistance(final String a, final String b)
    {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++)
        {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++)
            {
                final int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            final int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
