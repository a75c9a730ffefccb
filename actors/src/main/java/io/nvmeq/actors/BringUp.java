package io.nvmeq.actors;

import java.util.List;
import java.util.Objects;

import akka.actor.typed.ActorRef;
import akka.actor.typed.DispatcherSelector;
import io.nvmeq.engine.ControllerInfo;
import io.nvmeq.engine.NamespaceInfo;
import io.nvmeq.engine.NvmeException;

/** What a {@link ControllerSupervisor} tells its bring-up listener, exactly once. */
public sealed interface BringUp permits BringUp.Ready, BringUp.Failed
{
    /**
     * The controller is up and its queue-pair actors are running (index i = NVMe queue id i + 1);
     * {@code counters} are theirs, by the same index, and so are {@code dispatchers}: the dispatchers
     * of their threads, on which application actors may be spawned to share a queue pair's thread.
     */
    record Ready(
        ControllerInfo controller,
        List<NamespaceInfo> namespaces,
        List<ActorRef<QueuePairCommand>> queuePairs,
        List<Integer> cpus,
        DmaAllocator allocator,
        List<QueuePairCounters> counters,
        List<DispatcherSelector> dispatchers) implements BringUp
    {
        public Ready
        {
            namespaces = List.copyOf(namespaces);
            queuePairs = List.copyOf(queuePairs);
            cpus = List.copyOf(cpus);
            counters = List.copyOf(counters);
            dispatchers = List.copyOf(dispatchers);
            Objects.requireNonNull(controller, "controller");
            Objects.requireNonNull(allocator, "allocator");
        }
    }

    /** Bring-up failed; the supervisor released what it had opened and stopped. */
    record Failed(NvmeException error) implements BringUp
    {
        public Failed
        {
            Objects.requireNonNull(error, "error");
        }
    }
}
