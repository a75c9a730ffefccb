package io.nvmeq.examples.bench;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * What a verify job leaves for a later {@code --verify_only}: the last acknowledged write sequence of every block
 * of its region, so that the check finds a block that holds an older, intact version of itself (a write that was
 * acknowledged but lost), which offset and CRC alone cannot. fio keeps such a file too ({@code verify_state_save});
 * this one names the device, namespace, region and block size it describes, and a verify_only job for another
 * region is refused rather than checked against the wrong table.
 */
record VerifyState(String device, int nsid, long offset, long regionBytes, int bs, long[] sequences)
{
    private static final int MAGIC = 0x4E56_5653; // "NVVS"
    private static final int VERSION = 1;

    /** Writes the state to {@code path} atomically (a temporary file renamed over it). */
    void save(final Path path) throws IOException
    {
        final Path parent = path.toAbsolutePath().getParent();
        final Path temporary = Files.createTempFile(parent, path.getFileName().toString(), ".tmp");
        try (OutputStream file = Files.newOutputStream(temporary);
             DataOutputStream out = new DataOutputStream(new BufferedOutputStream(file)))
        {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeUTF(device);
            out.writeInt(nsid);
            out.writeLong(offset);
            out.writeLong(regionBytes);
            out.writeInt(bs);
            out.writeInt(sequences.length);
            for (final long sequence : sequences)
            {
                out.writeLong(sequence);
            }
        }
        Files.move(temporary, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** @throws IOException when the file cannot be read or is not a verify state */
    static VerifyState load(final Path path) throws IOException
    {
        try (InputStream file = Files.newInputStream(path);
             DataInputStream in = new DataInputStream(new BufferedInputStream(file)))
        {
            if (in.readInt() != MAGIC || in.readInt() != VERSION)
            {
                throw new IOException(path + " is not an nvmeq verify state file");
            }
            final String device = in.readUTF();
            final int nsid = in.readInt();
            final long offset = in.readLong();
            final long regionBytes = in.readLong();
            final int bs = in.readInt();
            final int blocks = in.readInt();
            if (blocks < 0 || (long)blocks * bs != regionBytes)
            {
                throw new IOException(path + " is damaged: " + blocks + " blocks of " + bs + " bytes for a region " +
                    "of " + regionBytes);
            }
            final long[] sequences = new long[blocks];
            for (int i = 0; i < blocks; i++)
            {
                sequences[i] = in.readLong();
            }
            return new VerifyState(device, nsid, offset, regionBytes, bs, sequences);
        }
        catch (final EOFException ex)
        {
            throw new IOException(path + " is truncated", ex);
        }
    }

    /** Why this state does not describe the job's region, or null when it does. */
    String mismatch(final String jobDevice, final int jobNsid, final long jobOffset, final long jobRegion,
        final int jobBs)
    {
        if (!device.equals(jobDevice) || nsid != jobNsid)
        {
            return "it was saved for " + device + " namespace " + nsid;
        }
        if (offset != jobOffset || regionBytes != jobRegion || bs != jobBs)
        {
            return "it describes offset " + offset + ", " + regionBytes + " bytes in blocks of " + bs + "; the job " +
                "covers offset " + jobOffset + ", " + jobRegion + " bytes in blocks of " + jobBs;
        }
        return null;
    }
}
