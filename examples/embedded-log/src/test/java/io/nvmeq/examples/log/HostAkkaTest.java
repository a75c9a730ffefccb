package io.nvmeq.examples.log;

import java.util.List;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.nvmeq.actors.Nvmeq;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** nvmeq on the class path changes nothing in the application's own Akka, and its own system never exits the JVM. */
class HostAkkaTest
{
    @Test
    void theApplicationsAkkaKeepsAkkasDefaultsBesideNvmeqsOwnSystem()
    {
        final Config application = ConfigFactory.load();
        assertEquals("INFO", application.getString("akka.loglevel"));
        assertEquals(List.of("akka.event.Logging$DefaultLogger"), application.getStringList("akka.loggers"));

        final ActorSystem<Void> host = ActorSystem.create(Behaviors.empty(), "host", application);
        try (Nvmeq nvmeq = Nvmeq.open("emu:memory?size=1m"))
        {
            assertTrue(host.settings().classicSettings().JvmExitOnFatalError(), "the application's own choice stands");
            assertFalse(nvmeq.system().settings().classicSettings().JvmExitOnFatalError());
        }
        finally
        {
            host.terminate();
        }
    }
}
