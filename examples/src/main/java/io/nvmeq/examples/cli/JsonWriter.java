package io.nvmeq.examples.cli;

/**
 * Just enough JSON for {@code identify --output-format=json}: objects, arrays, strings and numbers, written in
 * order into one line. Not a general JSON library; nvmeq does not need one.
 */
final class JsonWriter
{
    private final StringBuilder json = new StringBuilder(512);
    private boolean needsComma;

    JsonWriter beginObject()
    {
        separate();
        json.append('{');
        needsComma = false;
        return this;
    }

    JsonWriter endObject()
    {
        json.append('}');
        needsComma = true;
        return this;
    }

    JsonWriter beginArray()
    {
        separate();
        json.append('[');
        needsComma = false;
        return this;
    }

    JsonWriter endArray()
    {
        json.append(']');
        needsComma = true;
        return this;
    }

    /** A member name; the value (or object, or array) that follows belongs to it. */
    JsonWriter name(final String name)
    {
        separate();
        string(name);
        json.append(':');
        needsComma = false;
        return this;
    }

    JsonWriter value(final long value)
    {
        separate();
        json.append(value);
        needsComma = true;
        return this;
    }

    JsonWriter value(final String value)
    {
        separate();
        string(value);
        needsComma = true;
        return this;
    }

    JsonWriter field(final String name, final long value)
    {
        return name(name).value(value);
    }

    JsonWriter field(final String name, final String value)
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
