package io.nvmeq.examples.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small strict JSON reader for the tests: objects as maps, arrays as lists, numbers as doubles, strings,
 * booleans and null. It fails on anything that is not JSON (trailing commas, NaN, unquoted names, trailing text),
 * so a test that parses the command's output also checks that it is valid.
 */
final class Json
{
    private final String text;
    private int at;

    private Json(final String text)
    {
        this.text = text;
    }

    static Object parse(final String text)
    {
        final Json json = new Json(text);
        final Object value = json.value();
        json.skipSpace();
        if (json.at != text.length())
        {
            throw json.error("trailing text");
        }
        return value;
    }

    /** Follows a path of object keys and array indexes. */
    @SuppressWarnings("unchecked")
    static Object at(final Object root, final Object... path)
    {
        Object node = root;
        for (final Object step : path)
        {
            if (step instanceof Integer index)
            {
                node = ((List<Object>)node).get(index);
            }
            else
            {
                final Map<String, Object> map = (Map<String, Object>)node;
                if (!map.containsKey((String)step))
                {
                    throw new AssertionError("no member '" + step + "' in " + map.keySet());
                }
                node = map.get((String)step);
            }
        }
        return node;
    }

    static double number(final Object root, final Object... path)
    {
        return (Double)at(root, path);
    }

    private Object value()
    {
        skipSpace();
        if (at >= text.length())
        {
            throw error("unexpected end");
        }
        final char c = text.charAt(at);
        return switch (c)
        {
            case '{' -> object();
            case '[' -> array();
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> number();
        };
    }

    private Map<String, Object> object()
    {
        final Map<String, Object> map = new LinkedHashMap<>();
        at++;
        skipSpace();
        if (peek() == '}')
        {
            at++;
            return map;
        }
        while (true)
        {
            skipSpace();
            final String key = string();
            skipSpace();
            expect(':');
            if (map.containsKey(key))
            {
                throw error("duplicate member '" + key + "'");
            }
            map.put(key, value());
            skipSpace();
            if (peek() == ',')
            {
                at++;
                continue;
            }
            expect('}');
            return map;
        }
    }

    private List<Object> array()
    {
        final List<Object> list = new ArrayList<>();
        at++;
        skipSpace();
        if (peek() == ']')
        {
            at++;
            return list;
        }
        while (true)
        {
            list.add(value());
            skipSpace();
            if (peek() == ',')
            {
                at++;
                continue;
            }
            expect(']');
            return list;
        }
    }

    private String string()
    {
        expect('"');
        final StringBuilder s = new StringBuilder();
        while (true)
        {
            final char c = text.charAt(at++);
            if (c == '"')
            {
                return s.toString();
            }
            if (c < 0x20)
            {
                throw error("control character in string");
            }
            if (c != '\\')
            {
                s.append(c);
                continue;
            }
            final char e = text.charAt(at++);
            switch (e)
            {
                case '"', '\\', '/' -> s.append(e);
                case 'n' -> s.append('\n');
                case 'r' -> s.append('\r');
                case 't' -> s.append('\t');
                case 'b' -> s.append('\b');
                case 'f' -> s.append('\f');
                case 'u' ->
                {
                    s.append((char)Integer.parseInt(text.substring(at, at + 4), 16));
                    at += 4;
                }
                default -> throw error("bad escape \\" + e);
            }
        }
    }

    private Double number()
    {
        final int start = at;
        if (peek() == '-')
        {
            at++;
        }
        while (at < text.length() && "0123456789.eE+-".indexOf(text.charAt(at)) >= 0)
        {
            at++;
        }
        final String token = text.substring(start, at);
        if (!token.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?"))
        {
            throw error("not a JSON number: '" + token + "'");
        }
        return Double.valueOf(token);
    }

    private Object literal(final String word, final Object value)
    {
        if (!text.startsWith(word, at))
        {
            throw error("unexpected token");
        }
        at += word.length();
        return value;
    }

    private void expect(final char c)
    {
        if (peek() != c)
        {
            throw error("expected '" + c + "'");
        }
        at++;
    }

    private char peek()
    {
        return at < text.length() ? text.charAt(at) : '\0';
    }

    private void skipSpace()
    {
        while (at < text.length() && Character.isWhitespace(text.charAt(at)))
        {
            at++;
        }
    }

    private IllegalArgumentException error(final String what)
    {
        return new IllegalArgumentException(what + " at " + at + ": ..." +
            text.substring(Math.max(0, at - 30), Math.min(text.length(), at + 30)) + "...");
    }
}
