package io.nvmeq.examples.bench;

import static io.nvmeq.examples.bench.Cli.nvmeq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * A consumer of fio's JSON, written against the field list of a real fio 3.33 run (a fixture: every path of its
 * document and the kind of value there), fed {@code nvmeq bench --output-format=json} of the same job: it must
 * find every field fio wrote, of the same kind.
 */
class FioJsonLayoutTest
{
    /** One line of the fixture: the kind of value and its path. */
    record Field(String kind, String path)
    {
    }

    @Test
    void everyFieldOfFiosJsonIsThereWithTheSameKind() throws IOException
    {
        final List<Field> fields = fields();
        assertTrue(fields.size() > 200, "the fixture lists fio's fields: " + fields.size());
        // fio's command line of the fixture, on nvmeq: the same options, an nvmeq device and engine.
        final Cli run = nvmeq("bench", "--name=t", "--filename=emu:memory?size=8m", "--size=8m", "--rw=randread",
            "--bs=4k", "--runtime=1", "--ioengine=actors", "--output-format=json");
        assertEquals(0, run.exitCode(), run::toString);
        final Object document = Json.parse(run.jsonLine());
        final List<String> missing = new ArrayList<>();
        for (final Field field : fields)
        {
            final String found = find(document, field.path());
            if (!field.kind().equals(found))
            {
                missing.add(field.path() + " (fio: " + field.kind() + ", nvmeq: " + found + ")");
            }
        }
        assertTrue(missing.isEmpty(), () -> missing.size() + " of fio's fields missing or of another kind:\n  " +
            String.join("\n  ", missing));
    }

    @Test
    void everyJobOfAnEngineListHasEveryFieldOfFios() throws IOException
    {
        final List<Field> fields = fields();
        final Cli run = nvmeq("bench", "--name=t", "--filename=emu:memory?size=8m", "--size=8m", "--rw=randread",
            "--bs=4k", "--runtime=300ms", "--ioengine=actors,raw", "--output-format=json");
        assertEquals(0, run.exitCode(), run::toString);
        @SuppressWarnings("unchecked")
        final Map<String, Object> document = (Map<String, Object>)Json.parse(run.jsonLine());
        final List<?> jobs = (List<?>)document.get("jobs");
        assertEquals(2, jobs.size(), "one entry per engine");
        final List<String> missing = new ArrayList<>();
        for (final Object job : jobs)
        {
            // The document as a one-job run would have it, so that every path's [] reaches this job.
            final Map<String, Object> alone = new LinkedHashMap<>(document);
            alone.put("jobs", List.of(job));
            for (final Field field : fields)
            {
                final String found = find(alone, field.path());
                if (!field.kind().equals(found))
                {
                    missing.add(field.path() + " (fio: " + field.kind() + ", nvmeq: " + found + ")");
                }
            }
        }
        assertTrue(missing.isEmpty(), () -> missing.size() + " of fio's fields missing or of another kind:\n  " +
            String.join("\n  ", missing));
    }

    /** The kind of value at {@code path} in every element of the arrays on the way, or what went wrong. */
    @SuppressWarnings("unchecked")
    private static String find(final Object root, final String path)
    {
        Object node = root;
        for (final String step : path.substring(1).split("/", -1))
        {
            if (step.isEmpty())
            {
                break;
            }
            if (step.equals("[]"))
            {
                if (!(node instanceof List<?> list) || list.isEmpty())
                {
                    return "no array elements";
                }
                node = list.get(0);
                continue;
            }
            if (!(node instanceof Map<?, ?> map) || !map.containsKey(step))
            {
                return "missing";
            }
            node = ((Map<String, Object>)node).get(step);
        }
        if (node instanceof Map)
        {
            return "object";
        }
        if (node instanceof List)
        {
            return "array";
        }
        if (node instanceof String)
        {
            return "string";
        }
        if (node instanceof Boolean)
        {
            return "boolean";
        }
        return node == null ? "null" : "number";
    }

    private static List<Field> fields() throws IOException
    {
        try (InputStream in = FioJsonLayoutTest.class.getResourceAsStream("/fio/fio-3.33-randread.fields"))
        {
            final List<Field> fields = new ArrayList<>();
            for (final String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n"))
            {
                if (line.isBlank() || line.startsWith("#"))
                {
                    continue;
                }
                final int space = line.indexOf(' ');
                fields.add(new Field(line.substring(0, space), line.substring(space + 1)));
            }
            return fields;
        }
    }
}
