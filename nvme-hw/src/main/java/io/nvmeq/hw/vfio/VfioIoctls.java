package io.nvmeq.hw.vfio;

/**
 * The VFIO ioctl request numbers and constants nvmeq uses, computed the way the kernel's
 * {@code include/uapi/linux/vfio.h} defines them: every VFIO request is {@code _IO(VFIO_TYPE, VFIO_BASE + n)}
 * with {@code VFIO_TYPE = ';'} (0x3b) and {@code VFIO_BASE = 100}. {@code _IO} encodes no direction and no
 * size (the argument structs carry their own {@code argsz}), so each number is {@code 0x3b00 | (100 + n)}:
 *
 * <pre>
 *   n   request                          value
 *   0   VFIO_GET_API_VERSION             0x3b64
 *   1   VFIO_CHECK_EXTENSION             0x3b65
 *   2   VFIO_SET_IOMMU                   0x3b66
 *   3   VFIO_GROUP_GET_STATUS            0x3b67
 *   4   VFIO_GROUP_SET_CONTAINER         0x3b68
 *   6   VFIO_GROUP_GET_DEVICE_FD         0x3b6a
 *   7   VFIO_DEVICE_GET_INFO             0x3b6b
 *   8   VFIO_DEVICE_GET_REGION_INFO      0x3b6c
 *   9   VFIO_DEVICE_GET_IRQ_INFO         0x3b6d
 *  10   VFIO_DEVICE_SET_IRQS             0x3b6e
 *  11   VFIO_DEVICE_RESET                0x3b6f
 *  12   VFIO_IOMMU_GET_INFO              0x3b70
 *  13   VFIO_IOMMU_MAP_DMA               0x3b71
 *  14   VFIO_IOMMU_UNMAP_DMA             0x3b72
 * </pre>
 */
final class VfioIoctls
{
    /** {@code VFIO_TYPE}: the ioctl "magic" character of VFIO. */
    static final char VFIO_TYPE = ';';
    /** {@code VFIO_BASE}: the first VFIO ioctl number. */
    static final int VFIO_BASE = 100;

    static final int GET_API_VERSION = vfio(0);
    static final int CHECK_EXTENSION = vfio(1);
    static final int SET_IOMMU = vfio(2);
    static final int GROUP_GET_STATUS = vfio(3);
    static final int GROUP_SET_CONTAINER = vfio(4);
    static final int GROUP_GET_DEVICE_FD = vfio(6);
    static final int DEVICE_GET_INFO = vfio(7);
    static final int DEVICE_GET_REGION_INFO = vfio(8);
    static final int DEVICE_GET_IRQ_INFO = vfio(9);
    static final int DEVICE_SET_IRQS = vfio(10);
    static final int DEVICE_RESET = vfio(11);
    static final int IOMMU_GET_INFO = vfio(12);
    static final int IOMMU_MAP_DMA = vfio(13);
    static final int IOMMU_UNMAP_DMA = vfio(14);

    /** {@code VFIO_API_VERSION}: the only API version there has ever been. */
    static final int API_VERSION = 0;
    /** {@code VFIO_TYPE1v2_IOMMU}: the x86/arm IOMMU backend with v2 unmap semantics (no splitting). */
    static final int TYPE1V2_IOMMU = 3;

    /** {@code VFIO_GROUP_FLAGS_VIABLE}: every device of the group is bound to a VFIO driver or to none. */
    static final int GROUP_FLAGS_VIABLE = 1;

    /** {@code VFIO_DEVICE_FLAGS_RESET}: the device supports VFIO_DEVICE_RESET. */
    static final int DEVICE_FLAGS_RESET = 1;
    /** {@code VFIO_DEVICE_FLAGS_PCI}: a vfio-pci device. */
    static final int DEVICE_FLAGS_PCI = 1 << 1;

    /** {@code VFIO_PCI_BAR0_REGION_INDEX} and {@code VFIO_PCI_CONFIG_REGION_INDEX}. */
    static final int BAR0_REGION_INDEX = 0;
    static final int CONFIG_REGION_INDEX = 7;
    /** {@code VFIO_REGION_INFO_FLAG_READ/WRITE/MMAP}. */
    static final int REGION_FLAG_READ = 1;
    static final int REGION_FLAG_WRITE = 1 << 1;
    static final int REGION_FLAG_MMAP = 1 << 2;

    /** {@code VFIO_PCI_MSIX_IRQ_INDEX}: the MSI-X interrupts of a vfio-pci device (INTx 0, MSI 1, MSI-X 2). */
    static final int PCI_MSIX_IRQ_INDEX = 2;
    /** {@code VFIO_IRQ_INFO_EVENTFD}: the index signals eventfds. */
    static final int IRQ_INFO_EVENTFD = 1;
    /** {@code VFIO_IRQ_INFO_NORESIZE}: the vector count is fixed once enabled (disable to change it). */
    static final int IRQ_INFO_NORESIZE = 1 << 3;
    /** {@code VFIO_IRQ_SET_DATA_NONE}, {@code VFIO_IRQ_SET_DATA_EVENTFD} (data: one __s32 fd per vector). */
    static final int IRQ_SET_DATA_NONE = 1;
    static final int IRQ_SET_DATA_EVENTFD = 1 << 2;
    /** {@code VFIO_IRQ_SET_ACTION_TRIGGER}: the vectors signal the eventfds (count 0 with DATA_NONE: disable). */
    static final int IRQ_SET_ACTION_TRIGGER = 1 << 5;

    /** {@code VFIO_IOMMU_INFO_PGSIZES} and {@code VFIO_IOMMU_INFO_CAPS}. */
    static final int IOMMU_INFO_PGSIZES = 1;
    static final int IOMMU_INFO_CAPS = 1 << 1;
    /** Capability ids in the chain of VFIO_IOMMU_GET_INFO. */
    static final int IOMMU_CAP_IOVA_RANGE = 1;
    static final int IOMMU_CAP_DMA_AVAIL = 3;

    /** {@code VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE}. */
    static final int DMA_MAP_READ_WRITE = 1 | 1 << 1;

    /** Linux's {@code _IOC} field layout (x86, arm, riscv): nr bits 0-7, type 8-15, size 16-29, dir 30-31. */
    private static final int IOC_TYPESHIFT = 8;
    private static final int IOC_SIZESHIFT = 16;
    private static final int IOC_DIRSHIFT = 30;

    private VfioIoctls()
    {
    }

    /** {@code _IO(VFIO_TYPE, VFIO_BASE + n)}. */
    static int vfio(final int n)
    {
        return io(VFIO_TYPE, VFIO_BASE + n);
    }

    /** {@code _IO(type, nr)} = {@code _IOC(_IOC_NONE, type, nr, 0)}. */
    static int io(final char type, final int nr)
    {
        return ioc(0, type, nr, 0);
    }

    /** {@code _IOC(dir, type, nr, size)}. */
    static int ioc(final int dir, final char type, final int nr, final int size)
    {
        if (nr < 0 || nr > 0xff || type > 0xff || size < 0 || size > 0x3fff || dir < 0 || dir > 3)
        {
            throw new IllegalArgumentException("not an ioctl: dir " + dir + ", type " + (int)type + ", nr " + nr +
                ", size " + size);
        }
        return dir << IOC_DIRSHIFT | size << IOC_SIZESHIFT | type << IOC_TYPESHIFT | nr;
    }
}
