package io.nvmeq.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;

/**
 * The {@link TemporaryMappings} holders waiting for a lease in their hand-off slot: a holder queues itself
 * without a lock, the maintenance run serves them under the space's lock as far as the epochs allow, and
 * those it found no lease for are served first when room comes back.
 */
final class LeaseWaiters
{
    private final Queue<TemporaryMappings> wanting = new ConcurrentLinkedQueue<>();
    /** Holders the last run found no lease for. Under the space's lock. */
    private final List<TemporaryMappings> starving = new ArrayList<>();

    /** From the holder's thread: queues it unless it is waiting already. */
    void add(final TemporaryMappings holder)
    {
        if (holder.wantsLease.compareAndSet(false, true))
        {
            wanting.offer(holder);
        }
    }

    /**
     * Puts a lease from {@code cut} (null: no room now) in the hand-off slot of each waiting holder. Under
     * the space's lock.
     */
    void serve(final Supplier<IovaLease> cut)
    {
        TemporaryMappings holder;
        while ((holder = wanting.poll()) != null)
        {
            if (!starving.contains(holder))
            {
                starving.add(holder);
            }
        }
        for (int i = 0; i < starving.size(); )
        {
            holder = starving.get(i);
            holder.wantsLease.set(false);
            if (holder.handoff.get() != null)
            {
                starving.remove(i);
                continue;
            }
            final IovaLease lease = cut.get();
            if (lease == null)
            {
                holder.wantsLease.set(true);
                i++;
                continue;
            }
            holder.handoff.set(lease);
            starving.remove(i);
        }
    }
}
