package io.nvmeq.examples.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

import picocli.CommandLine.IVersionProvider;

/** {@code nvmeq --version}: the project version that Maven filtered into {@code version.properties}. */
final class VersionProvider implements IVersionProvider
{
    @Override
    public String[] getVersion() throws IOException
    {
        final Properties properties = new Properties();
        try (InputStream in = VersionProvider.class.getResourceAsStream("/io/nvmeq/examples/version.properties"))
        {
            if (in != null)
            {
                properties.load(in);
            }
        }
        return new String[]
        {
            "nvmeq " + properties.getProperty("version", "(version unknown: not built by Maven)"),
            "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"
        };
    }
}
