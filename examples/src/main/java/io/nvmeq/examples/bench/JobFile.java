package io.nvmeq.examples.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An fio job file: ini sections, {@code [global]} for options every later job inherits and one section per job
 * named by its header; {@code key=value} lines and bare flags ({@code time_based}); comments start with
 * {@code ;} or {@code #}. As in fio, a {@code [global]} section after a job applies to the jobs that follow it.
 *
 * @param globals every {@code [global]} option of the file, for fio's {@code global options} in the JSON
 * @param jobs    the job sections in order, each with the globals in force at its header folded in first
 */
record JobFile(Path path, Map<String, String> globals, List<Section> jobs)
{
    /**
     * One job.
     *
     * @param options its own options (fio's {@code job options}); a bare flag maps to null
     * @param merged  the globals in force at its header, then its own options: what the job runs with
     */
    record Section(String name, Map<String, String> options, Map<String, String> merged)
    {
    }

    /** @throws IllegalArgumentException naming the file and line that is not fio's format */
    static JobFile parse(final Path path) throws IOException
    {
        final List<String> lines = Files.readAllLines(path);
        final Map<String, String> globals = new LinkedHashMap<>();
        final Map<String, String> allGlobals = new LinkedHashMap<>();
        final List<Section> jobs = new ArrayList<>();
        String name = null;
        Map<String, String> current = null;
        Map<String, String> inherited = null;
        for (int i = 0; i < lines.size(); i++)
        {
            final String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith(";") || line.startsWith("#"))
            {
                continue;
            }
            if (line.startsWith("["))
            {
                if (!line.endsWith("]") || line.length() < 3)
                {
                    throw new IllegalArgumentException(path + " line " + (i + 1) + ": a section header is [name], " +
                        "not '" + line + "'");
                }
                if (name != null && !"global".equals(name))
                {
                    jobs.add(section(name, current, inherited));
                }
                name = line.substring(1, line.length() - 1).strip();
                current = "global".equals(name) ? globals : new LinkedHashMap<>();
                inherited = "global".equals(name) ? null : new LinkedHashMap<>(globals);
                continue;
            }
            if (current == null)
            {
                throw new IllegalArgumentException(path + " line " + (i + 1) + ": '" + line + "' comes before any " +
                    "[section]");
            }
            final int equals = line.indexOf('=');
            final String key = (equals < 0 ? line : line.substring(0, equals)).strip();
            final String value = equals < 0 ? null : line.substring(equals + 1).strip();
            if (key.isEmpty())
            {
                throw new IllegalArgumentException(path + " line " + (i + 1) + ": no option name in '" + line + "'");
            }
            current.put(key, value);
            if (current == globals)
            {
                allGlobals.put(key, value);
            }
        }
        if (name != null && !"global".equals(name))
        {
            jobs.add(section(name, current, inherited));
        }
        if (jobs.isEmpty())
        {
            throw new IllegalArgumentException(path + " has no job section (only [global] or nothing)");
        }
        return new JobFile(path, allGlobals, jobs);
    }

    private static Section section(final String name, final Map<String, String> own,
        final Map<String, String> inherited)
    {
        final Map<String, String> merged = new LinkedHashMap<>(inherited);
        merged.putAll(own);
        return new Section(name, own, merged);
    }

    /** A section's options as command-line arguments: {@code --key=value}, {@code --flag}. */
    static List<String> arguments(final Map<String, String> options)
    {
        final List<String> args = new ArrayList<>();
        for (final Map.Entry<String, String> option : options.entrySet())
        {
            args.add(option.getValue() == null ? "--" + option.getKey() : "--" + option.getKey() + "=" +
                option.getValue());
        }
        return args;
    }
}
