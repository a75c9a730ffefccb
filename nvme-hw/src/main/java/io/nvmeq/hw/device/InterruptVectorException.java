package io.nvmeq.hw.device;

import io.nvmeq.hw.nativeio.NativeException;

/**
 * The kernel refused to attach or detach one interrupt vector's eventfd (VFIO_DEVICE_SET_IRQS for that
 * vector alone): which vector, the call and its errno. After a refused attach the vector is detached: its
 * owner must not wait for it (a completion would raise nothing), and the next attach tries again.
 */
public final class InterruptVectorException extends NativeException
{
    private static final long serialVersionUID = 1L;

    private final int vector;

    public InterruptVectorException(final int vector, final String call, final int errno, final String detail)
    {
        super(call, errno, detail);
        this.vector = vector;
    }

    /** The vector whose eventfd was to be attached or detached. */
    public int vector()
    {
        return vector;
    }
}
