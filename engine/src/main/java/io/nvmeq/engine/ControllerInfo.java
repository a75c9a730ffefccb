package io.nvmeq.engine;

/**
 * What the driver learned of a controller at bring-up: CAP and Identify Controller, decoded.
 *
 * @param mdts                MDTS as Identify reports it (2^mdts minimum pages; 0 = no limit)
 * @param maxTransferBytes    the largest transfer one command may carry, as the driver uses it
 * @param maxQueueEntries     CAP.MQES + 1
 * @param doorbellStride      bytes between doorbells (4 << CAP.DSTRD)
 * @param readyTimeoutMillis  CAP.TO in milliseconds
 * @param grantedIoQueuePairs I/O queue pairs the controller granted (Set Features Number of Queues)
 * @param identifyData        the 4096-byte Identify Controller data as the controller returned it (read it with
 *                            {@link io.nvmeq.hw.spec.IdentifyController}), for tools that show every field
 */
public record ControllerInfo(
    int vendorId,
    String serial,
    String model,
    String firmware,
    String version,
    int controllerId,
    int mdts,
    long maxTransferBytes,
    int maxQueueEntries,
    int doorbellStride,
    long readyTimeoutMillis,
    int pageSize,
    int namespaceCount,
    int grantedIoQueuePairs,
    boolean volatileWriteCache,
    int oncs,
    IdentifyBytes identifyData)
{
}
