package io.nvmeq.engine;

/**
 * Application memory mapped for the device at a fixed IOVA (see {@link NvmeController#registerBuffer}):
 * transfers from and into it are zero-copy. The application must not free the memory before the
 * registration is closed.
 *
 * <p><b>In flight.</b> A request names the memory as a ByteBuffer; the queue pair finds this
 * registration by host address and holds it, like a {@link DmaBuffer}, until the request is answered.
 * {@link #close()} never waits: while requests still use the memory it only marks the registration
 * closing, and the completion of the last of them unmaps it, so its IOVA is never handed on while the
 * device may still use it. A request sent while the registration is closing is refused with
 * {@link InvalidRequestException} and nothing is sent (it would otherwise need the memory mapped twice);
 * once the registration is gone, I/O on the memory takes the temporary-mapping path like any other
 * direct memory.
 */
public final class RegisteredBuffer extends MappedMemory implements AutoCloseable
{
    private final long address;
    private final int length;
    private final long iova;

    RegisteredBuffer(final IovaSpace space, final long address, final int length, final long iova)
    {
        super(space);
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

    /** Whether {@link #close()} was called (the memory stays mapped until the requests using it complete). */
    public boolean isClosed()
    {
        return closing();
    }

    /** Unmaps the memory now if no request uses it, else when the last completes; idempotent. */
    @Override
    public void close()
    {
        closeWhenUnused();
    }

    @Override
    long iovaAt(final long hostAddress)
    {
        return iova + (hostAddress - address);
    }

    @Override
    void free()
    {
        space.unregister(address, length, iova);
    }

    @Override
    public String toString()
    {
        return "RegisteredBuffer{address=0x" + Long.toHexString(address) + ", length=" + length + ", iova=0x"
            + Long.toHexString(iova) + '}';
    }
}
