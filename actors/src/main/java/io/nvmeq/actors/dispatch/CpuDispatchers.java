package io.nvmeq.actors.dispatch;

import java.util.Map;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.Adapter;
import akka.dispatch.DispatcherConfigurator;
import akka.dispatch.Dispatchers;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.nvmeq.actors.NvmeqSettings;

/**
 * The per-CPU dispatchers: {@code nvmeq.cpu-dispatcher-<cpu>} (busy-poll) and
 * {@code nvmeq.self-poll-dispatcher-<cpu>} (fallback). A dispatcher defined in the configuration is
 * used as is; otherwise it is registered on first use from the template in {@code reference.conf},
 * with the CPU and the settings' idle strategy, completion mode and poll window filled in. Application actors may be spawned on the
 * same dispatcher to share the queue pair's thread.
 */
public final class CpuDispatchers
{
    private CpuDispatchers()
    {
    }

    /** The dispatcher id for queue pairs on {@code cpu} in {@code mode}. */
    public static String dispatcherId(final NvmeqSettings.PollMode mode, final int cpu)
    {
        return (mode == NvmeqSettings.PollMode.BUSY_POLL ? "nvmeq.cpu-dispatcher-" : "nvmeq.self-poll-dispatcher-") + cpu;
    }

    /**
     * Ensures the dispatcher for {@code cpu} exists in {@code system} and returns its selector.
     * Thread-safe: Akka registers a configurator once per id.
     */
    public static DispatcherSelector forCpu(final ActorSystem<?> system, final NvmeqSettings settings, final int cpu)
    {
        final String id = dispatcherId(settings.pollMode(), cpu);
        final Dispatchers dispatchers = Adapter.toClassic(system).dispatchers();
        if (!dispatchers.hasDispatcher(id))
        {
            final Config systemConfig = system.settings().config();
            final String template = settings.pollMode() == NvmeqSettings.PollMode.BUSY_POLL ?
                "nvmeq.cpu-dispatcher-template" : "nvmeq.self-poll-dispatcher-template";
            final Config config = ConfigFactory.parseMap(Map.of(
                    "id", id,
                    "cpu", cpu,
                    "busy-poll.idle-strategy", settings.idleStrategy().configName(),
                    "busy-poll.completion-mode", settings.completionMode().configName(),
                    "busy-poll.poll-window-max", settings.pollWindowMax().toNanos() + "ns"))
                .withFallback(systemConfig.getConfig(template))
                .withFallback(systemConfig.getConfig("akka.actor.default-dispatcher"));
            // Losing a race to another registration is fine: the winner has the same configuration.
            dispatchers.registerConfigurator(id, new DispatcherConfigurator(config, dispatchers.prerequisites()));
        }
        return DispatcherSelector.fromConfig(id);
    }
}
