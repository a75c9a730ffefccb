package io.nvmeq.hw.vfio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.nvmeq.hw.device.InterruptVectorException;

/**
 * The VFIO_DEVICE_SET_IRQS calls behind routing, detaching and attaching MSI-X vectors, as the kernel
 * would read them (each vfio_irq_set recorded field by field, fds included), and what a refused call
 * leaves: a refused detach leaves the vector attached for good, a refused attach throws typed and is
 * tried again. No /dev/vfio here: the ioctl is replaced by a recorder that answers 0 or a given errno.
 */
class MsixVectorsTest
{
    private static final int DATA_EVENTFD_TRIGGER = VfioIoctls.IRQ_SET_DATA_EVENTFD | VfioIoctls.IRQ_SET_ACTION_TRIGGER;
    private static final int DATA_NONE_TRIGGER = VfioIoctls.IRQ_SET_DATA_NONE | VfioIoctls.IRQ_SET_ACTION_TRIGGER;

    /** One recorded vfio_irq_set: flags, index, start, count and the fds after the header. */
    private record Call(int argsz, int flags, int index, int start, int count, List<Integer> fds)
    {
        static Call of(final UnsafeBuffer set)
        {
            final int count = set.getInt(VfioIrqs.SET_COUNT, ByteOrder.LITTLE_ENDIAN);
            final int argsz = set.getInt(0, ByteOrder.LITTLE_ENDIAN);
            final List<Integer> fds = new ArrayList<>();
            for (int offset = VfioIrqs.SET_HEADER_BYTES; offset < argsz; offset += 4)
            {
                fds.add(set.getInt(offset, ByteOrder.LITTLE_ENDIAN));
            }
            return new Call(argsz, set.getInt(VfioIrqs.SET_FLAGS, ByteOrder.LITTLE_ENDIAN),
                set.getInt(VfioIrqs.SET_INDEX, ByteOrder.LITTLE_ENDIAN),
                set.getInt(VfioIrqs.SET_START, ByteOrder.LITTLE_ENDIAN), count, fds);
        }
    }

    private final List<Call> calls = new ArrayList<>();
    private final List<Integer> answers = new ArrayList<>();
    private MsixVectors vectors;

    private MsixVectors open(final int count)
    {
        vectors = new MsixVectors("nvme://0000:00:03.0/1", count, set ->
        {
            calls.add(Call.of(set));
            return answers.isEmpty() ? 0 : answers.remove(0);
        });
        return vectors;
    }

    @AfterEach
    void close()
    {
        if (vectors != null)
        {
            vectors.close();
        }
    }

    private static Call single(final int vector, final int fd)
    {
        return new Call(24, DATA_EVENTFD_TRIGGER, VfioIoctls.PCI_MSIX_IRQ_INDEX, vector, 1, List.of(fd));
    }

    @Test
    void detachAndAttachIssueOneSetIrqsForTheVectorAloneAndOnlyWhenTheStateChanges()
    {
        final MsixVectors msix = open(4);
        assertTrue(msix.detachable());
        final int fd2 = msix.eventFd(2).fd();
        assertEquals(1, calls.size(), "routing: one call for all vectors");
        final Call routing = calls.get(0);
        assertEquals(new Call(20 + 4 * 4, DATA_EVENTFD_TRIGGER, VfioIoctls.PCI_MSIX_IRQ_INDEX, 0, 4,
            List.of(msix.eventFd(0).fd(), msix.eventFd(1).fd(), fd2, msix.eventFd(3).fd())), routing);
        assertFalse(msix.detached(2), "routed vectors start attached");

        assertTrue(msix.detach(2));
        assertEquals(single(2, -1), calls.get(1), "detach: vector 2 alone, fd -1");
        assertTrue(msix.detached(2));
        assertTrue(msix.detach(2));
        assertEquals(2, calls.size(), "detaching a detached vector issues nothing");

        msix.attach(2);
        assertEquals(single(2, fd2), calls.get(2), "attach: vector 2 alone, its own eventfd");
        assertFalse(msix.detached(2));
        msix.attach(2);
        assertEquals(3, calls.size(), "attaching an attached vector issues nothing");

        assertTrue(msix.detach(3));
        assertEquals(single(3, -1), calls.get(3));
        assertFalse(msix.detached(2), "one vector's detach leaves the others as they are");

        msix.close();
        assertEquals(new Call(20, DATA_NONE_TRIGGER, VfioIoctls.PCI_MSIX_IRQ_INDEX, 0, 0, List.of()), calls.get(4),
            "close disables MSI-X");
    }

    @Test
    void aRefusedDetachLeavesTheVectorAttachedForGood()
    {
        final MsixVectors msix = open(2);
        msix.eventFd(1);
        answers.add(VfioLibC.EINVAL);
        assertFalse(msix.detach(1), "refused: still attached");
        assertFalse(msix.detached(1));
        assertFalse(msix.detach(1));
        msix.attach(1);
        assertEquals(2, calls.size(), "no more calls for a vector that stays attached: routing and the refused detach");
    }

    @Test
    void aRefusedAttachIsTypedLeavesTheVectorDetachedAndTheNextAttachTriesAgain()
    {
        final MsixVectors msix = open(2);
        final int fd = msix.eventFd(1).fd();
        assertTrue(msix.detach(1));
        answers.add(VfioLibC.ENOSPC);
        final InterruptVectorException refused = assertThrows(InterruptVectorException.class, () -> msix.attach(1));
        assertEquals(1, refused.vector());
        assertEquals(VfioLibC.ENOSPC, refused.errno());
        assertTrue(refused.getMessage().contains("MSI-X vector 1"), refused.getMessage());
        assertTrue(msix.detached(1), "the kernel freed the vector before it refused: nothing raises it");
        assertTrue(msix.detach(1), "detached already: nothing to issue");
        assertEquals(3, calls.size());

        msix.attach(1);
        assertEquals(single(1, fd), calls.get(3), "the next attach tries again");
        assertFalse(msix.detached(1));
        assertFalse(msix.detach(1), "after a refusal the vector stays attached for good");
        assertEquals(4, calls.size());
    }

    @Test
    void nothingIsIssuedBeforeRoutingOrAfterCloseNorForAVectorOutOfRange()
    {
        final MsixVectors msix = open(2);
        assertFalse(msix.detach(1), "not routed yet: nothing to detach");
        msix.attach(1);
        assertTrue(calls.isEmpty());
        msix.eventFd(1);
        msix.close();
        final int afterClose = calls.size();
        assertFalse(msix.detach(1));
        msix.attach(1);
        assertEquals(afterClose, calls.size(), "an eventfd routed after close would enable MSI-X again");
        assertThrows(IllegalArgumentException.class, () -> msix.detach(2));
        assertThrows(IllegalArgumentException.class, () -> msix.attach(-1));
        assertFalse(open(0).detachable(), "no MSI-X vectors: nothing to detach");
    }
}
