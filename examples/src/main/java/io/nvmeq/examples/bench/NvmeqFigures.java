package io.nvmeq.examples.bench;

/**
 * nvmeq's own figures of a run, reported as {@code jobs[].nvmeq}: the longest duty cycle of any
 * queue-pair thread and the cycles over the threshold (1 ms), since the controller came up.
 */
record NvmeqFigures(long maxDutyCycleNs, long dutyCyclesOverThreshold)
{
}
