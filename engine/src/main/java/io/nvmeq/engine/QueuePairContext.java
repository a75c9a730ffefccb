package io.nvmeq.engine;

import io.nvmeq.hw.device.NvmeDevice;

/**
 * Everything a {@link QueuePair} is made of (the controller's {@link IoQueues} builds it), as one context object;
 * {@code interrupt} is null for a completion queue without interrupts.
 */
record QueuePairContext(
    int id,
    int entries,
    NvmeDevice device,
    QueueHost host,
    IovaSpace iovaSpace,
    int doorbellStrideShift,
    DmaBuffer sqRing,
    DmaBuffer cqRing,
    DmaBuffer prpLists,
    int listBytesPerCommand,
    BouncePool bounce,
    NamespaceInfo[] namespaces,
    long maxTransferBytes,
    long timeoutNanos,
    int maxRetries,
    IoCounters counters,
    CompletionInterrupt interrupt)
{
}
