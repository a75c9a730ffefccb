package io.nvmeq.engine;

/**
 * Application memory mapped for the device at a fixed IOVA (see {@link NvmeController#registerBuffer}):
 * transfers from and into it are zero-copy. Closing unmaps it; the application must not free the memory
 * before, nor start I/O on it after.
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
