package io.nvmeq.hw.spec;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RegistersTest
{
    @Test
    void capFieldsRoundTrip()
    {
        final long cap = Registers.cap(1023, true, 20, 2, 12, 16);
        assertEquals(1023, Registers.capMqes(cap));
        assertTrue(Registers.capCqr(cap));
        assertEquals(10_000, Registers.capTimeoutMillis(cap));
        assertEquals(2, Registers.capDstrd(cap));
        assertEquals(12, Registers.capMpsMinShift(cap));
        assertEquals(16, Registers.capMpsMaxShift(cap));
        assertTrue(Registers.capNvmCommandSet(cap));
    }

    /** §3.1.24/25: doorbell stride is (4 << CAP.DSTRD) bytes; SQ y tail at 2y, CQ y head at 2y+1. */
    @Test
    void doorbellOffsetsFollowTheStride()
    {
        assertEquals(0x1000, Registers.sqTailDoorbell(0, 0));
        assertEquals(0x1004, Registers.cqHeadDoorbell(0, 0));
        assertEquals(0x1008, Registers.sqTailDoorbell(1, 0));
        assertEquals(0x1000 + 3 * 16, Registers.cqHeadDoorbell(1, 2));
    }

    @Test
    void statusNamesFollowTheSpecification()
    {
        assertEquals("LBA Out of Range", Status.describe(Status.withDnr(Status.LBA_OUT_OF_RANGE)));
        assertEquals("Invalid Queue Identifier", Status.describe(Status.INVALID_QUEUE_ID));
        assertTrue(Status.doNotRetry(Status.withDnr(Status.INVALID_FIELD)));
        assertTrue(Status.isSuccess(Status.MORE));
    }
}
