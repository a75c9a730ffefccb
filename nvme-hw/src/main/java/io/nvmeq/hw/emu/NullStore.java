package io.nvmeq.hw.emu;

/** Moves no data: writes are dropped and reads return zeroes, to measure the driver alone. */
final class NullStore implements BlockStore
{
    @Override
    public void read(final long offset, final long hostAddress, final long length)
    {
        // Reads still zero the host buffer: a read never returns stale host memory as if it were data.
        Zeroes.fill(hostAddress, length);
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
