package io.nvmeq.examples.log;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's "Use it from Java" stays true: its program is this project's, it runs, its key table is complete. */
class ReadmeTest
{
    /** This project lies at examples/embedded-log in the nvmeq repository. */
    private static final Path README = Path.of("../../README.md");
    private static final Path HELLO = Path.of("src/main/java/io/nvmeq/examples/log/HelloNvmeq.java");

    @Test
    void theReadmesMinimalProgramIsHelloNvmeqFromItsImportsOn() throws IOException
    {
        final String source = Files.readString(HELLO);
        final String program = source.substring(source.indexOf("import "))
            .replace("/** The minimal program of the README's \"Use it from Java\" (the README shows this file from its imports on). */\n", "");
        assertTrue(Files.readString(README).contains(program), "README.md does not show " + HELLO + " as it is");
    }

    @Test
    void theMinimalProgramRuns() throws Exception
    {
        final PrintStream stdout = System.out;
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try
        {
            HelloNvmeq.main(new String[0]);
        }
        finally
        {
            System.setOut(stdout);
        }
        assertEquals("hello, NVMe", captured.toString(StandardCharsets.UTF_8).strip());
    }

    @Test
    void theReadmeListsEveryConfigurationKeyOfNvmeq() throws IOException
    {
        final String readme = Files.readString(README);
        final List<String> missing = new ArrayList<>();
        for (final Map.Entry<String, ConfigValue> entry :
            ConfigFactory.defaultReference().getConfig("nvmeq").entrySet())
        {
            final String key = entry.getKey();
            if (key.startsWith("akka.") || key.contains("dispatcher-template."))
            {
                continue;
            }
            if (!readme.contains("`nvmeq." + key + "`"))
            {
                missing.add("nvmeq." + key);
            }
        }
        assertTrue(missing.isEmpty(), "README.md's configuration table lacks " + missing);
    }
}
