package io.nvmeq.actors;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/**
 * The actor system that {@link Nvmeq#open} starts for itself inside a host application. It is built from
 * the host's configuration with the {@code nvmeq.akka} block laid over the {@code akka} block, so that
 * nvmeq's logging and provider never change the host's own actor systems and the host's never break
 * nvmeq's. On top of both, whatever could stop the host's JVM is switched off: a library must not exit the
 * JVM it is embedded in, even on a fatal error (Akka's {@code jvm-exit-on-fatal-error} would).
 */
final class OwnActorSystem
{
    /** Never overridable: nvmeq's actor system may terminate itself, never the host's JVM. */
    static final Config HOST_SAFE = ConfigFactory.parseString(
        "akka.jvm-exit-on-fatal-error = off\n" +
        "akka.coordinated-shutdown.exit-jvm = off\n");

    private OwnActorSystem()
    {
    }

    /**
     * Checks the host JVM and the {@code nvmeq} keys of {@code config}, then starts the actor system.
     *
     * @throws EnvironmentException   if this JVM cannot run nvmeq (nothing is started)
     * @throws UnknownSettingException if {@code config} has an {@code nvmeq} key nvmeq does not know
     */
    static <T> ActorSystem<T> create(final Behavior<T> guardian, final String name, final Config config)
    {
        final Config own = config(config);
        HostEnvironment.check();
        return ActorSystem.create(guardian, name, own);
    }

    /** {@code config} (over the reference configuration, as Akka itself takes it) as nvmeq's own actor system sees it. */
    static Config config(final Config config)
    {
        final Config complete = config.withFallback(ConfigFactory.defaultReference(OwnActorSystem.class.getClassLoader()));
        SettingsKeys.check(complete);
        return HOST_SAFE
            .withFallback(complete.getConfig("nvmeq.akka").atKey("akka"))
            .withFallback(complete);
    }
}
