package io.nvmeq.examples.faults;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BlockLedgerTest
{
    private final BlockLedger ledger = new BlockLedger(4);

    @Test
    void aBlockIsUnknownUntilSettledAndThenHoldsExactlyItsAcknowledgedWrite()
    {
        assertFalse(ledger.known(0));
        assertFalse(ledger.acceptable(0, 0));
        final long first = ledger.nextWrite(0);
        ledger.settle(0, first);
        assertTrue(ledger.known(0));
        assertTrue(ledger.acceptable(0, first));
        final long second = ledger.nextWrite(0);
        assertFalse(ledger.acceptable(0, second), "a write in flight is not acceptable before it is answered");
        ledger.settle(0, second);
        assertTrue(ledger.acceptable(0, second));
        assertFalse(ledger.acceptable(0, first), "an overwritten acknowledged write must not come back");
        assertFalse(ledger.acceptable(1, first), "blocks are independent");
    }

    @Test
    void failedWritesMayOrMayNotHaveLandedUntilAReadSettlesTheBlock()
    {
        ledger.settle(2, ledger.nextWrite(2));
        final long failedA = ledger.nextWrite(2);
        ledger.writeFailed(2, failedA);
        final long failedB = ledger.nextWrite(2);
        ledger.writeFailed(2, failedB);
        assertTrue(ledger.acceptable(2, 0));
        assertTrue(ledger.acceptable(2, failedA));
        assertTrue(ledger.acceptable(2, failedB));
        assertFalse(ledger.acceptable(2, failedB + 1));
        assertEquals("write 0, or failed writes 1..2", ledger.expected(2));

        // A read found the old content: the failed writes did not land, and must not land later.
        ledger.settle(2, 0);
        assertFalse(ledger.acceptable(2, failedA));
        assertFalse(ledger.acceptable(2, failedB));
        final long next = ledger.nextWrite(2);
        assertTrue(next > failedB, "sequences stay unique per block after a read settled it lower");
        ledger.writeFailed(2, next);
        assertEquals("write 0, or failed write " + next, ledger.expected(2));
        assertFalse(ledger.acceptable(2, failedB), "only the failed writes since the last settlement count");
    }

    @Test
    void aBlockTakesOneRequestAtATime()
    {
        ledger.acquire(3);
        assertTrue(ledger.busy(3));
        assertThrows(IllegalStateException.class, () -> ledger.acquire(3));
        ledger.release(3);
        assertFalse(ledger.busy(3));
        ledger.acquire(3);
    }
}
