package io.nvmeq.actors;

import java.io.IOException;
import java.net.URL;
import java.security.CodeSource;
import java.util.Collections;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

class OwnActorSystemTest
{
    /** A host application that wants its own actor systems to exit the JVM, log DEBUG and form a cluster. */
    private static final Config HOST = ConfigFactory.parseString(
            "akka.jvm-exit-on-fatal-error = on\n" +
            "akka.coordinated-shutdown.exit-jvm = on\n" +
            "akka.loglevel = DEBUG\n" +
            "akka.actor.provider = cluster\n")
        .withFallback(ConfigFactory.load());

    @Test
    void nvmeqsReferenceConfSetsNoAkkaKey() throws IOException
    {
        final CodeSource actors = Nvmeq.class.getProtectionDomain().getCodeSource();
        URL ours = null;
        for (final URL url : Collections.list(Nvmeq.class.getClassLoader().getResources("reference.conf")))
        {
            if (url.toString().startsWith(actors.getLocation().toString()) ||
                url.toString().startsWith("jar:" + actors.getLocation()))
            {
                ours = url;
            }
        }
        assertNotNull(ours, "nvmeq-actors' reference.conf on the class path");
        final Config reference = ConfigFactory.parseURL(ours);
        assertFalse(reference.hasPath("akka"), "reference.conf sets akka keys: " + reference.root().get("akka"));
    }

    @Test
    void theHostsAkkaSettingsStayTheHostsAndNvmeqsSystemNeverExitsTheJvm()
    {
        final Config own = OwnActorSystem.config(HOST);
        assertFalse(own.getBoolean("akka.jvm-exit-on-fatal-error"));
        assertFalse(own.getBoolean("akka.coordinated-shutdown.exit-jvm"));
        assertEquals("local", own.getString("akka.actor.provider"));
        assertEquals("INFO", own.getString("akka.loglevel"));
        assertEquals("DEBUG", HOST.getString("akka.loglevel"), "the host's own configuration is unchanged");
    }

    @Test
    void exitingTheJvmCannotBeSwitchedBackOnThroughTheNvmeqAkkaBlock()
    {
        final Config own = OwnActorSystem.config(ConfigFactory.parseString(
            "nvmeq.akka.jvm-exit-on-fatal-error = on").withFallback(ConfigFactory.load()));
        assertFalse(own.getBoolean("akka.jvm-exit-on-fatal-error"));
    }

    @Test
    void aConfigWithoutTheReferenceGetsNvmeqsDefaultsAsAkkaWouldGiveItAkkas()
    {
        final Config own = OwnActorSystem.config(ConfigFactory.parseString("akka.loglevel = WARNING"));
        assertEquals("INFO", own.getString("akka.loglevel"), "nvmeq.akka applies to nvmeq's own system");
        assertEquals("akka.event.slf4j.Slf4jLogger", own.getStringList("akka.loggers").get(0));
        assertFalse(own.getBoolean("akka.jvm-exit-on-fatal-error"));
    }

    @Test
    void theFacadesActorSystemRunsWithTheHostSafeSettings()
    {
        try (Nvmeq nvmeq = Nvmeq.open(TestSupport.settings("OWN-1"), HOST))
        {
            assertFalse(nvmeq.system().settings().classicSettings().JvmExitOnFatalError());
            assertEquals("local", nvmeq.system().settings().config().getString("akka.actor.provider"));
        }
    }
}
