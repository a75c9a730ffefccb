package io.nvmeq.hw.vfio;

import java.nio.ByteBuffer;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * The argument structs of VFIO_DEVICE_GET_IRQ_INFO and VFIO_DEVICE_SET_IRQS (include/uapi/linux/vfio.h),
 * built in direct memory whose address goes to the ioctl:
 * <pre>
 * struct vfio_irq_info { __u32 argsz; __u32 flags; __u32 index; __u32 count; };              // 16 bytes
 * struct vfio_irq_set  { __u32 argsz; __u32 flags; __u32 index; __u32 start; __u32 count;
 *                        __u8 data[]; };                     // 20 bytes + 4 per vector (__s32 eventfds)
 * </pre>
 */
final class VfioIrqs
{
    static final int INFO_BYTES = 16;
    static final int INFO_FLAGS = 4;
    static final int INFO_INDEX = 8;
    static final int INFO_COUNT = 12;
    static final int SET_HEADER_BYTES = 20;
    static final int SET_FLAGS = 4;
    static final int SET_INDEX = 8;
    static final int SET_START = 12;
    static final int SET_COUNT = 16;

    private VfioIrqs()
    {
    }

    /** A vfio_irq_info asking about interrupt index {@code index}. */
    static UnsafeBuffer info(final int index)
    {
        final UnsafeBuffer info = new UnsafeBuffer(ByteBuffer.allocateDirect(INFO_BYTES));
        info.putInt(0, INFO_BYTES);
        info.putInt(INFO_INDEX, index);
        return info;
    }

    /** A vfio_irq_set that routes vectors {@code start..start + fds.length - 1} of {@code index} to {@code fds}. */
    static UnsafeBuffer trigger(final int index, final int start, final int[] fds)
    {
        final int size = SET_HEADER_BYTES + 4 * fds.length;
        final UnsafeBuffer set = header(size, VfioIoctls.IRQ_SET_DATA_EVENTFD | VfioIoctls.IRQ_SET_ACTION_TRIGGER,
            index, start, fds.length);
        for (int i = 0; i < fds.length; i++)
        {
            set.putInt(SET_HEADER_BYTES + 4 * i, fds[i]);
        }
        return set;
    }

    /** A vfio_irq_set that disables every trigger of {@code index} (for MSI-X: disables MSI-X). */
    static UnsafeBuffer disable(final int index)
    {
        return header(SET_HEADER_BYTES, VfioIoctls.IRQ_SET_DATA_NONE | VfioIoctls.IRQ_SET_ACTION_TRIGGER, index, 0, 0);
    }

    private static UnsafeBuffer header(final int size, final int flags, final int index, final int start, final int count)
    {
        final UnsafeBuffer set = new UnsafeBuffer(ByteBuffer.allocateDirect(size));
        set.putInt(0, size);
        set.putInt(SET_FLAGS, flags);
        set.putInt(SET_INDEX, index);
        set.putInt(SET_START, start);
        set.putInt(SET_COUNT, count);
        return set;
    }
}
