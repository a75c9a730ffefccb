package io.nvmeq.engine;

import org.junit.jupiter.api.Test;

import io.nvmeq.hw.device.Devices;
import io.nvmeq.hw.device.NvmeDevice;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A shutdown that cannot flush (the namespace's file cannot be synced, so the controller reports
 * CSTS.CFS instead of a completed shutdown) is reported by {@link NvmeController#close()}, after it
 * released everything: the caller must not believe its data is durable.
 */
class FailedShutdownTest
{
    @Test
    void closeReleasesEverythingThenReportsTheFailedShutdownTyped()
    {
        final NvmeController controller = NvmeController.open(Devices.open("unsyncable:"),
            ControllerOptions.defaults().withIoQueuePairs(1).withIoQueueEntries(8));
        controller.createQueuePair(1);

        final long start = System.nanoTime();
        final ShutdownFailedException failed = assertThrows(ShutdownFailedException.class, controller::close);
        System.out.printf("failed shutdown reported after %.1f ms%n", (System.nanoTime() - start) / 1e6);
        assertTrue(failed.getMessage().contains("may not be durable"), failed.getMessage());
        assertInstanceOf(ControllerFatalException.class, failed.getCause(), "CSTS.CFS during the shutdown");

        // Closed regardless: a second close is a no-op, and the image is free for the next opener.
        controller.close();
        final NvmeDevice again = Devices.open("unsyncable:");
        again.close();
    }
}
