package io.nvmeq.hw.vfio;

import io.nvmeq.hw.device.InterruptVectors;
import io.nvmeq.hw.device.Iommu;
import io.nvmeq.hw.device.NvmeDevice;
import io.nvmeq.hw.device.RegisterSpace;
import io.nvmeq.hw.dma.DmaMemory;
import io.nvmeq.hw.nativeio.LibC;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A PCI NVMe controller reached through Linux VFIO: a container with the Type1 v2 IOMMU, the device's
 * IOMMU group in it, the device fd, BAR0 mapped into the process, and bus mastering enabled. The driver
 * sees only {@link #registers()}, {@link #iommu()} and the MSI-X vectors' eventfds ({@link #interrupts()}). Everything goes through jnr-ffi (no JNI code).
 * {@link #close()} disables MSI-X and resets the device (so it stops all DMA) before the mappings go away with
 * the container.
 *
 * <p>Struct layouts used here (include/uapi/linux/vfio.h):
 * <pre>
 * struct vfio_group_status  { __u32 argsz; __u32 flags; };                                   // 8 bytes
 * struct vfio_device_info   { __u32 argsz; __u32 flags; __u32 num_regions; __u32 num_irqs;
 *                             __u32 cap_offset; __u32 pad; };                                // 24 bytes
 * (interrupt structs: see VfioIrqs)
 * struct vfio_region_info   { __u32 argsz; __u32 flags; __u32 index; __u32 cap_offset;
 *                             __u64 size; __u64 offset; };                                   // 32 bytes
 * </pre>
 */
public final class VfioDevice implements NvmeDevice
{
    private static final Logger LOG = LoggerFactory.getLogger(VfioDevice.class);

    /** PCI configuration space: the command register and its two bits nvmeq needs. */
    static final int PCI_COMMAND = 0x04;
    static final int PCI_COMMAND_MEMORY = 0x2;
    static final int PCI_COMMAND_MASTER = 0x4;

    /** The first VFIO_IOMMU_GET_INFO asks with this many bytes; the kernel says if it needs more. */
    private static final int IOMMU_INFO_FIRST_TRY = 4096;
    private static final int IOMMU_INFO_MAX = 1 << 20;

    private final String uri;
    private final String address;
    private final int namespace;
    private final int containerFd;
    private final int groupFd;
    private final int deviceFd;
    private final long barAddress;
    private final long barLength;
    private final boolean resettable;
    private final MmioRegisters registers;
    private final VfioIommu iommu;
    private final MsixVectors msix;
    private final AtomicBoolean closed = new AtomicBoolean();

    private VfioDevice(final Opening opening, final VfioIommu iommu, final MmioRegisters registers,
        final MsixVectors msix)
    {
        this.msix = msix;
        this.uri = opening.uri;
        this.address = opening.address;
        this.namespace = opening.namespace;
        this.containerFd = opening.containerFd;
        this.groupFd = opening.groupFd;
        this.deviceFd = opening.deviceFd;
        this.barAddress = opening.barAddress;
        this.barLength = opening.barLength;
        this.resettable = opening.resettable;
        this.iommu = iommu;
        this.registers = registers;
    }

    /**
     * Opens the controller {@code target} names, as {@code uri}.
     *
     * @throws VfioSetupException if the machine is not set up for it; the message says what to do
     */
    public static VfioDevice open(final VfioUri target, final String uri)
    {
        return open(target, uri, PciSysfs.system());
    }

    static VfioDevice open(final VfioUri target, final String uri, final PciSysfs sysfs)
    {
        final Opening opening = new Opening(uri, target.pciAddress(), target.namespace(), sysfs);
        DmaMemory.hugepagesMatter();
        try
        {
            return opening.open();
        }
        catch (final RuntimeException ex)
        {
            opening.release();
            throw ex;
        }
    }

    @Override
    public String uri()
    {
        return uri;
    }

    @Override
    public int defaultNamespace()
    {
        return namespace;
    }

    @Override
    public RegisterSpace registers()
    {
        return registers;
    }

    @Override
    public Iommu iommu()
    {
        return iommu;
    }

    /** The MSI-X vectors; the first {@link InterruptVectors#eventFd(int)} routes them all to eventfds. */
    @Override
    public InterruptVectors interrupts()
    {
        return msix;
    }

    /** Completions arrive in host memory by DMA on their own: nothing to do. */
    @Override
    public void poll(final int cqId)
    {
    }

    /** The PCI address, e.g. {@code 0000:00:03.0}. */
    public String pciAddress()
    {
        return address;
    }

    /** Whether the device supports VFIO_DEVICE_RESET (a function-level or similar reset), done on close. */
    public boolean resettable()
    {
        return resettable;
    }

    /**
     * Unmaps BAR0, resets the device (it stops DMA before its mappings go), and closes the device, group
     * and container fds; closing the container removes every DMA mapping. Idempotent.
     */
    @Override
    public void close()
    {
        if (!closed.compareAndSet(false, true))
        {
            return;
        }
        registers.detach();
        final LibC libc = LibC.libc();
        if (libc.munmap(barAddress, barLength) != 0)
        {
            LOG.warn("munmap of BAR0 of {} failed: {}", address, SetupProblems.errnoText(LibC.errno()));
        }
        msix.close();
        if (resettable && VfioLibC.libc().ioctl(deviceFd, VfioIoctls.DEVICE_RESET, 0) != 0)
        {
            LOG.warn("VFIO_DEVICE_RESET of {} failed: {}", address, SetupProblems.errnoText(VfioLibC.errno()));
        }
        iommu.markClosed();
        closeQuietly(deviceFd, "device");
        closeQuietly(groupFd, "group");
        closeQuietly(containerFd, "container");
    }

    private void closeQuietly(final int fd, final String what)
    {
        if (LibC.libc().close(fd) != 0)
        {
            LOG.warn("close of the VFIO {} fd of {} failed: {}", what, address, SetupProblems.errnoText(LibC.errno()));
        }
    }

    @Override
    public String toString()
    {
        return "VfioDevice[" + uri + ", BAR0 " + barLength + " bytes, IOMMU page " + iommu.pageSize() +
            ", " + iommu.mappingLimit() + " mappings" + (closed.get() ? ", closed" : "") + "]";
    }

    /** The open sequence, holding what is open so far so that a failure releases exactly that. */
    private static final class Opening
    {
        final String uri;
        final String address;
        final int namespace;
        final PciSysfs sysfs;
        final VfioLibC vfio = VfioLibC.libc();
        final LibC libc = LibC.libc();
        int containerFd = -1;
        int groupFd = -1;
        int deviceFd = -1;
        long barAddress = LibC.MAP_FAILED;
        long barLength;
        boolean resettable;
        int numIrqs;

        Opening(final String uri, final String address, final int namespace, final PciSysfs sysfs)
        {
            this.uri = uri;
            this.address = address;
            this.namespace = namespace;
            this.sysfs = sysfs;
        }

        VfioDevice open()
        {
            final int group = VfioPreflight.check(sysfs, address, uri);
            openContainer();
            openGroup(group);
            final VfioIommu iommu = setUpIommu();
            openDevice();
            final MmioRegisters registers = mapBar0();
            enableBusMaster();
            final MsixVectors msix = MsixVectors.query(uri, deviceFd, numIrqs);
            final VfioDevice device = new VfioDevice(this, iommu, registers, msix);
            LOG.debug("opened {}", device);
            return device;
        }

        private void openContainer()
        {
            final String path = sysfs.containerPath().toString();
            containerFd = libc.open(path, LibC.O_RDWR | LibC.O_CLOEXEC);
            if (containerFd < 0)
            {
                throw openFailure(path, LibC.errno());
            }
            final int version = vfio.ioctl(containerFd, VfioIoctls.GET_API_VERSION, 0);
            if (version < 0)
            {
                throw SetupProblems.systemCall(uri, "VFIO_GET_API_VERSION on " + path, VfioLibC.errno(),
                    "is it the VFIO container device, character device 10:196?");
            }
            if (version != VfioIoctls.API_VERSION)
            {
                throw SetupProblems.unsupported(uri, "VFIO_GET_API_VERSION gave " + version + ", nvmeq speaks " +
                    "version " + VfioIoctls.API_VERSION);
            }
            if (vfio.ioctl(containerFd, VfioIoctls.CHECK_EXTENSION, VfioIoctls.TYPE1V2_IOMMU) != 1)
            {
                throw SetupProblems.unsupported(uri, "VFIO has no Type1 v2 IOMMU backend " +
                    "(VFIO_CHECK_EXTENSION(VFIO_TYPE1v2_IOMMU) is false; is vfio_iommu_type1 loaded?)");
            }
        }

        private void openGroup(final int group)
        {
            final String path = sysfs.groupPath(group).toString();
            groupFd = libc.open(path, LibC.O_RDWR | LibC.O_CLOEXEC);
            if (groupFd < 0)
            {
                throw openFailure(path, LibC.errno());
            }
            final UnsafeBuffer status = struct(8);
            status.putInt(0, 8);
            ioctlOrThrow(groupFd, VfioIoctls.GROUP_GET_STATUS, status, "VFIO_GROUP_GET_STATUS");
            if ((status.getInt(4) & VfioIoctls.GROUP_FLAGS_VIABLE) == 0)
            {
                throw SetupProblems.groupNotViable(uri, address, group, sysfs.groupMembers(group));
            }
            final UnsafeBuffer fd = struct(4);
            fd.putInt(0, containerFd);
            ioctlOrThrow(groupFd, VfioIoctls.GROUP_SET_CONTAINER, fd, "VFIO_GROUP_SET_CONTAINER");
        }

        private VfioIommu setUpIommu()
        {
            if (vfio.ioctl(containerFd, VfioIoctls.SET_IOMMU, VfioIoctls.TYPE1V2_IOMMU) != 0)
            {
                final int errno = VfioLibC.errno();
                throw errno == VfioLibC.EPERM ? SetupProblems.noInterruptRemapping(uri, sysfs) :
                    SetupProblems.systemCall(uri, "VFIO_SET_IOMMU(VFIO_TYPE1v2_IOMMU)", errno, "");
            }
            final IommuInfo info = iommuInfo();
            final OptionalInt sysfsLimit = sysfs.dmaEntryLimit();
            final int limit = sysfsLimit.isPresent() ? sysfsLimit.getAsInt() :
                info.dmaAvailable().orElse(VfioIommu.DEFAULT_MAPPING_LIMIT);
            return new VfioIommu(uri, containerFd, info.pageSize(), info.usableRanges(), limit);
        }

        private IommuInfo iommuInfo()
        {
            int size = IOMMU_INFO_FIRST_TRY;
            while (true)
            {
                final UnsafeBuffer info = struct(size);
                info.putInt(IommuInfo.ARGSZ, size);
                ioctlOrThrow(containerFd, VfioIoctls.IOMMU_GET_INFO, info, "VFIO_IOMMU_GET_INFO");
                final int needed = info.getInt(IommuInfo.ARGSZ);
                if (needed <= size)
                {
                    return IommuInfo.parse(info, needed);
                }
                if (needed > IOMMU_INFO_MAX)
                {
                    throw SetupProblems.systemCall(uri, "VFIO_IOMMU_GET_INFO", VfioLibC.EINVAL,
                        "the kernel asks for " + needed + " bytes of info");
                }
                size = needed;
            }
        }

        private void openDevice()
        {
            final byte[] name = address.getBytes(StandardCharsets.US_ASCII);
            final UnsafeBuffer cName = struct(name.length + 1);
            cName.putBytes(0, name);
            cName.putByte(name.length, (byte)0);
            deviceFd = vfio.ioctl(groupFd, VfioIoctls.GROUP_GET_DEVICE_FD, cName.addressOffset());
            final int errno = VfioLibC.errno();
            Reference.reachabilityFence(cName);
            if (deviceFd < 0)
            {
                throw SetupProblems.systemCall(uri, "VFIO_GROUP_GET_DEVICE_FD(" + address + ")", errno, "");
            }
            final UnsafeBuffer info = struct(24);
            info.putInt(0, 24);
            ioctlOrThrow(deviceFd, VfioIoctls.DEVICE_GET_INFO, info, "VFIO_DEVICE_GET_INFO");
            final int flags = info.getInt(4);
            if ((flags & VfioIoctls.DEVICE_FLAGS_PCI) == 0 || info.getInt(8) <= VfioIoctls.CONFIG_REGION_INDEX)
            {
                throw SetupProblems.unsupported(uri, "VFIO_DEVICE_GET_INFO of " + address + " does not describe a " +
                    "PCI device (flags 0x" + Integer.toHexString(flags) + ", " + info.getInt(8) + " regions)");
            }
            resettable = (flags & VfioIoctls.DEVICE_FLAGS_RESET) != 0;
            numIrqs = info.getInt(12);
        }

        private MmioRegisters mapBar0()
        {
            final UnsafeBuffer region = regionInfo(VfioIoctls.BAR0_REGION_INDEX);
            final int flags = region.getInt(4);
            final long size = region.getLong(16);
            if ((flags & VfioIoctls.REGION_FLAG_MMAP) == 0)
            {
                throw SetupProblems.barNotMappable(uri, address, "vfio-pci does not allow mmap of BAR0 (region flags 0x" +
                    Integer.toHexString(flags) + ")");
            }
            if (size < 0x2000 || size > Integer.MAX_VALUE)
            {
                throw SetupProblems.barNotMappable(uri, address, "BAR0 is " + size + " bytes; an NVMe BAR0 holds " +
                    "at least the registers and doorbells (8 KiB)");
            }
            final long mapped = libc.mmap(0, size, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, deviceFd,
                region.getLong(24));
            if (mapped == LibC.MAP_FAILED)
            {
                throw SetupProblems.barNotMappable(uri, address, "mmap of " + size + " bytes failed: " +
                    SetupProblems.errnoText(LibC.errno()));
            }
            barAddress = mapped;
            barLength = size;
            return new MmioRegisters(mapped, (int)size);
        }

        /** Sets Memory Space and Bus Master in the PCI command register: without them the device cannot DMA. */
        private void enableBusMaster()
        {
            final UnsafeBuffer region = regionInfo(VfioIoctls.CONFIG_REGION_INDEX);
            final long offset = region.getLong(24) + PCI_COMMAND;
            final UnsafeBuffer command = struct(2);
            if (vfio.pread(deviceFd, command.addressOffset(), 2, offset) != 2)
            {
                throw SetupProblems.systemCall(uri, "pread of the PCI command register", VfioLibC.errno(), address);
            }
            final short value = command.getShort(0);
            final short enabled = (short)(value | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
            if (enabled != value)
            {
                command.putShort(0, enabled);
                final long written = vfio.pwrite(deviceFd, command.addressOffset(), 2, offset);
                final int errno = VfioLibC.errno();
                Reference.reachabilityFence(command);
                if (written != 2)
                {
                    throw SetupProblems.systemCall(uri, "pwrite of the PCI command register", errno, address);
                }
            }
        }

        private UnsafeBuffer regionInfo(final int index)
        {
            final UnsafeBuffer region = struct(32);
            region.putInt(0, 32);
            region.putInt(8, index);
            ioctlOrThrow(deviceFd, VfioIoctls.DEVICE_GET_REGION_INFO, region,
                "VFIO_DEVICE_GET_REGION_INFO(" + index + ")");
            return region;
        }

        private void ioctlOrThrow(final int fd, final int request, final UnsafeBuffer argument, final String call)
        {
            final int result = vfio.ioctl(fd, request, argument.addressOffset());
            final int errno = VfioLibC.errno();
            // The direct buffer must outlive the call: only its address went to the kernel.
            Reference.reachabilityFence(argument);
            if (result != 0)
            {
                throw SetupProblems.systemCall(uri, call, errno, address);
            }
        }

        private VfioSetupException openFailure(final String path, final int errno)
        {
            switch (errno)
            {
                case VfioLibC.EACCES:
                case VfioLibC.EPERM:
                    return SetupProblems.permissionDenied(uri, path, errno);
                case VfioLibC.EBUSY:
                    return SetupProblems.groupBusy(uri, path);
                case VfioLibC.ENOENT:
                case VfioLibC.ENODEV:
                    return SetupProblems.vfioNotLoaded(uri, address, sysfs);
                default:
                    return SetupProblems.systemCall(uri, "open(" + path + ")", errno, "");
            }
        }

        /** Releases what is open, in reverse order; after a failed open only. */
        void release()
        {
            if (barAddress != LibC.MAP_FAILED)
            {
                libc.munmap(barAddress, barLength);
            }
            for (final int fd : new int[] {deviceFd, groupFd, containerFd})
            {
                if (fd >= 0)
                {
                    libc.close(fd);
                }
            }
        }

        private static UnsafeBuffer struct(final int size)
        {
            return new UnsafeBuffer(ByteBuffer.allocateDirect(size));
        }
    }
}
