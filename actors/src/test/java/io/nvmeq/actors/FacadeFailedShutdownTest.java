package io.nvmeq.actors;

import java.util.concurrent.TimeUnit;

import io.nvmeq.engine.ControllerFatalException;
import io.nvmeq.engine.DmaBuffer;
import io.nvmeq.engine.ShutdownFailedException;
import io.nvmeq.hw.device.Devices;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A failure to persist reaches the caller of {@link Nvmeq#close()}: over a namespace whose file cannot
 * be synced (the test device {@code unsyncable:}), the controller's shutdown cannot flush and reports
 * CSTS.CFS, and close throws {@link ShutdownFailedException} at once, after releasing everything,
 * instead of logging that the shutdown was not clean.
 */
class FacadeFailedShutdownTest
{
    @Test
    void closeThrowsTypedWhenTheShutdownCouldNotFlushAndStillReleasesTheDevice() throws Exception
    {
        final Nvmeq nvmeq = Nvmeq.open(TestSupport.settings("UNSYNCABLE").withDevice("unsyncable:").withQueuePairs(1));
        final DmaBuffer data = nvmeq.allocate(512);
        data.buffer().putBytes(0, TestSupport.pattern(7, 512));
        nvmeq.write(1, 0, 1, data, 0, false).toCompletableFuture().get(30, TimeUnit.SECONDS);

        final long start = System.nanoTime();
        final ShutdownFailedException failed = assertThrows(ShutdownFailedException.class, nvmeq::close);
        System.out.printf("failed shutdown reported by close after %.1f ms%n", (System.nanoTime() - start) / 1e6);
        assertTrue(failed.getMessage().contains("may not be durable"), failed.getMessage());
        assertInstanceOf(ControllerFatalException.class, failed.getCause());

        nvmeq.close(); // idempotent: reported once
        Devices.open("unsyncable:").close(); // released: the image can be opened again
    }
}
