package io.nvmeq.examples.log;

import java.util.concurrent.CompletableFuture;

/**
 * For {@link CrashRecoveryTest}, in a JVM of its own: appends records to the log on {@code args[0]} with
 * several in flight until it is killed, printing the sequence number of each acknowledged record.
 */
public final class AppendUntilKilled
{
    private AppendUntilKilled()
    {
    }

    public static void main(final String[] args)
    {
        final int inFlight = 4;
        final AppendLog log = Main.onNvmeq(args[0], inFlight);
        @SuppressWarnings("unchecked")
        final CompletableFuture<Void>[] window = new CompletableFuture[inFlight];
        for (long sequence = log.recovered(); ; sequence++)
        {
            final int slot = (int)(sequence % inFlight);
            if (window[slot] != null)
            {
                window[slot].join();
            }
            window[slot] = log.append(Main.payload(sequence, CrashRecoveryTest.size(sequence)))
                .thenAccept(acknowledged ->
                {
                    synchronized (System.out)
                    {
                        System.out.println("acknowledged " + acknowledged);
                        System.out.flush();
                    }
                });
        }
    }
}
