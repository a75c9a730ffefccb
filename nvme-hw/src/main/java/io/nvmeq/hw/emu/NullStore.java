package io.nvmeq.hw.emu;

import org.agrona.UnsafeAccess;

/** Moves no data: writes are dropped and reads return zeroes, to measure the driver alone. */
final class NullStore implements BlockStore
{
    @Override
    public void read(final long offset, final long hostAddress, final long length)
    {
        // Reads still zero the host buffer: a read never returns stale host memory as if it were data.
        UnsafeAccess.UNSAFE.setMemory(hostAddress, length, (byte)0);
    }

    @Override
    public void write(final long offset, final long hostAddress, final long length)
    {
    }

    @Override
    public void writeZeroes(final long offset, final long length)
    {
    }

    @Override
    public void flush()
    {
    }

    @Override
    public void close()
    {
    }
}
