package io.nvmeq.actors;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigOrigin;

/** A key in the {@code nvmeq} block that nvmeq does not know, most often a misspelling. */
public final class UnknownSettingException extends ConfigException
{
    private static final long serialVersionUID = 1L;

    private final String key;
    private final String nearest;

    public UnknownSettingException(final ConfigOrigin origin, final String key, final String nearest)
    {
        super(origin, "unknown setting " + key + (nearest == null ? "" : " (did you mean " + nearest + "?)") +
            "; the settings nvmeq knows are listed, with their defaults, in its reference.conf");
        this.key = key;
        this.nearest = nearest;
    }

    /** The unknown key, e.g. {@code nvmeq.queue-pair}. */
    public String key()
    {
        return key;
    }

    /** The valid key closest to it, e.g. {@code nvmeq.queue-pairs}; null when none is close. */
    public String nearest()
    {
        return nearest;
    }
}
