package io.nvmeq.examples.cli;

import java.math.BigInteger;

/**
 * Just enough JSON for the {@code --output-format=json} of identify, bench and scale: objects, arrays, strings,
 * numbers and booleans, written in order into one line. Not a general JSON library; nvmeq does not need one.
 */
public final class JsonWriter
{
    private final StringBuilder json = new StringBuilder(512);
    private boolean needsComma;

    public JsonWriter beginObject()
    {
        separate();
        json.append('{');
        needsComma = false;
        return this;
    }

    public JsonWriter endObject()
    {
        json.append('}');
        needsComma = true;
        return this;
    }

    public JsonWriter beginArray()
    {
        separate();
        json.append('[');
        needsComma = false;
        return this;
    }

    public JsonWriter endArray()
    {
        json.append(']');
        needsComma = true;
        return this;
    }

    /** A member name; the value (or object, or array) that follows belongs to it. */
    public JsonWriter name(final String name)
    {
        separate();
        string(name);
        json.append(':');
        needsComma = false;
        return this;
    }

    public JsonWriter value(final long value)
    {
        separate();
        json.append(value);
        needsComma = true;
        return this;
    }

    /** An integer of any size (the 128-bit counts of Identify), written as a JSON number. */
    public JsonWriter value(final BigInteger value)
    {
        separate();
        json.append(value);
        needsComma = true;
        return this;
    }

    public JsonWriter value(final String value)
    {
        separate();
        string(value);
        needsComma = true;
        return this;
    }

    /** A finite number with up to six decimals, as fio writes its doubles; NaN and infinities become 0. */
    public JsonWriter value(final double value)
    {
        separate();
        json.append(Double.isFinite(value) ? String.format(java.util.Locale.ROOT, "%.6f", value) : "0");
        needsComma = true;
        return this;
    }

    public JsonWriter value(final boolean value)
    {
        separate();
        json.append(value);
        needsComma = true;
        return this;
    }

    public JsonWriter field(final String name, final double value)
    {
        return name(name).value(value);
    }

    public JsonWriter field(final String name, final boolean value)
    {
        return name(name).value(value);
    }

    public JsonWriter field(final String name, final long value)
    {
        return name(name).value(value);
    }

    public JsonWriter field(final String name, final String value)
    {
        return name(name).value(value);
    }

    public JsonWriter field(final String name, final BigInteger value)
    {
        return name(name).value(value);
    }

    @Override
    public String toString()
    {
        return json.toString();
    }

    private void separate()
    {
        if (needsComma)
        {
            json.append(',');
            needsComma = false;
        }
    }

    private void string(final String value)
    {
        json.append('"');
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            switch (c)
            {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default ->
                {
                    if (c < 0x20)
                    {
                        json.append(String.format("\\u%04x", (int)c));
                    }
                    else
                    {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }
}
