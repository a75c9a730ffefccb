package io.nvmeq.engine;

import java.util.concurrent.CompletableFuture;

/**
 * One Get Log Page (NVMe base spec 2.0 §5.16) without waiting: a page of its own (several reads may be
 * outstanding at once), the command on the admin queue, and on its answer a copy for the caller and the
 * page freed, whatever the outcome.
 */
final class LogPageRead
{
    private LogPageRead()
    {
    }

    /** {@code bytes} of log {@code logId} for namespace {@code nsid}; the caller checked the size. */
    static CompletableFuture<byte[]> start(
        final AdminPoller admin, final IovaSpace iova, final int logId, final int nsid, final int bytes)
    {
        final DmaBuffer page = iova.allocateFixed(Identify.IDENTIFY_SIZE);
        return admin.call(AdminCommand.getLogPage(logId, nsid, bytes, page.iova())).handle((dw0, error) ->
        {
            try
            {
                if (error != null)
                {
                    throw error instanceof NvmeException nvme ? nvme : new ControllerFatalException(error.toString(), error);
                }
                final byte[] copy = new byte[bytes];
                page.buffer().getBytes(0, copy);
                return copy;
            }
            finally
            {
                page.close();
            }
        });
    }
}
