package io.nvmeq.hw.vfio;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MmioRegistersTest
{
    @Test
    void sixtyFourBitRegistersAreTwoLittleEndianHalvesLowFirst()
    {
        final ByteBuffer memory = ByteBuffer.allocateDirect(0x2000).order(ByteOrder.LITTLE_ENDIAN);
        final long address = new UnsafeBuffer(memory).addressOffset();
        final MmioRegisters registers = new MmioRegisters(address, 0x2000);

        registers.write64(0x28, 0x1122_3344_5566_7788L);
        assertEquals(0x5566_7788, memory.getInt(0x28));
        assertEquals(0x1122_3344, memory.getInt(0x2c));
        assertEquals(0x1122_3344_5566_7788L, registers.read64(0x28));

        memory.putInt(0x0, 0xffff_fff0);
        memory.putInt(0x4, 0x0000_0001);
        assertEquals(0x1_ffff_fff0L, registers.read64(0x0), "the low half is not sign-extended into the high one");

        registers.write32(0x1000, 7);
        assertEquals(7, memory.getInt(0x1000));
        assertEquals(7, registers.read32(0x1000));
    }

    @Test
    void afterDetachAccessesFailInsteadOfTouchingUnmappedMemory()
    {
        final ByteBuffer memory = ByteBuffer.allocateDirect(0x2000);
        final MmioRegisters registers = new MmioRegisters(new UnsafeBuffer(memory).addressOffset(), 0x2000);
        registers.detach();
        assertThrows(IndexOutOfBoundsException.class, () -> registers.read32(0x1c));
        assertThrows(IndexOutOfBoundsException.class, () -> registers.write32(0x1000, 1));
    }
}
