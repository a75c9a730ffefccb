package io.nvmeq.engine;

/**
 * Application memory mapped for the device at a fixed IOVA (see {@link NvmeController#registerBuffer}):
 * transfers from and into it are zero-copy. Closing unmaps it; the application must not free the memory
 * before, nor close it while a request using the memory is in flight: unlike a {@link DmaBuffer}, a
 * registration does not count the requests that use it (they name a ByteBuffer, found by host address),
 * so closing it early lets its IOVA be handed on while the device may still use it. After close, I/O on
 * the memory takes the temporary-mapping path.
 */
public final class RegisteredBuffer implements AutoCloseable
{
    private final IovaSpace space;
    private final long address;
    private final int length;
    private final long iova;
    private boolean closed;

    RegisteredBuffer(final IovaSpace space, final long address, final int length, final long iova)
    {
        this.space = space;
        this.address = address;
        this.length = length;
        this.iova = iova;
    }

    /** Host address of the first registered byte. */
    public long address()
    {
        return address;
    }

    public int length()
    {
        return length;
    }

    /** The IOVA of the first registered byte, as the device sees it. */
    public long iova()
    {
        return iova;
    }

    @Override
    public synchronized void close()
    {
        if (!closed)
        {
            closed = true;
            space.unregister(address, length, iova);
        }
    }

    @Override
    public String toString()
    {
        return "RegisteredBuffer{address=0x" + Long.toHexString(address) + ", length=" + length + ", iova=0x"
            + Long.toHexString(iova) + '}';
    }
}
