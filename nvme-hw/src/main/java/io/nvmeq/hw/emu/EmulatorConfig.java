package io.nvmeq.hw.emu;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How an emulated controller is built: its backing store, namespaces and limits. Parsed from an
 * {@code emu:} device URI (see {@code io.nvmeq.hw.device.DeviceUri}) or built in code.
 *
 * @param backend          where namespace data lives
 * @param file             the backing file for {@link Backend#FILE} (namespaces lie one after another), else null
 * @param namespaces       number of namespaces, ids 1..namespaces
 * @param namespaceBytes   size of each namespace in bytes (a multiple of blockSize)
 * @param blockSize        logical block size: 512 or 4096
 * @param maxIoQueuePairs  I/O queue pairs the controller grants at most (Set Features Number of Queues)
 * @param maxQueueEntries  CAP.MQES + 1: the largest queue the controller accepts
 * @param mdts             Maximum Data Transfer Size as in Identify: 2^mdts pages of 4 KiB; 0 = no limit
 * @param serial           serial number (Identify SN)
 * @param model            model number (Identify MN)
 * @param firmware         firmware revision (Identify FR)
 * @param mappingLimit     IOMMU mappings at most (VFIO's dma_entry_limit; 65535 by default)
 * @param iovaLimit        end (exclusive) of the usable IOVA range, which starts at 0
 * @param latency          service times and internal channels ({@link LatencyModel#NONE}: immediate completions)
 * @param faults           faults armed when the controller is created (empty: none)
 * @param givenGeometry    which of namespaces, namespaceBytes and blockSize were given rather than defaulted:
 *                         an existing image's recorded geometry replaces the others, and must equal these
 * @param deviceThreads    threads of the controller's own (its cores; {@link DeviceCores}): 0 executes each
 *                         command on the thread that rings the doorbell, N &gt; 0 on N threads of the device,
 *                         so that the host and the device work in parallel as with hardware
 */
public record EmulatorConfig(
    Backend backend,
    Path file,
    int namespaces,
    long namespaceBytes,
    int blockSize,
    int maxIoQueuePairs,
    int maxQueueEntries,
    int mdts,
    String serial,
    String model,
    String firmware,
    int mappingLimit,
    long iovaLimit,
    LatencyModel latency,
    List<FaultSpec> faults,
    Set<Geometry> givenGeometry,
    int deviceThreads)
{
    public enum Backend
    {
        /** Data in process memory: fast, gone with the process. */
        MEMORY,
        /** Data in a file, durable once flushed. */
        FILE,
        /** Moves no data: writes are dropped, reads return zeroes. For measuring the driver alone. */
        NULL
    }

    /** The parts of the configuration an {@code emu:file:} image records about itself. */
    public enum Geometry
    {
        NAMESPACES,
        NAMESPACE_BYTES,
        BLOCK_SIZE
    }

    public static final long DEFAULT_NAMESPACE_BYTES = 64L << 20;
    public static final int DEFAULT_BLOCK_SIZE = 512;
    public static final int DEFAULT_MAX_IO_QUEUE_PAIRS = 64;
    public static final int DEFAULT_MAX_QUEUE_ENTRIES = 1024;
    public static final int DEFAULT_MDTS = 7;
    public static final int DEFAULT_MAPPING_LIMIT = 65535;
    /** 2^39: the IOVA width of many Intel IOMMUs (QEMU's intel-iommu reports 39 bits too). */
    public static final long DEFAULT_IOVA_LIMIT = 1L << 39;
    /** More device threads than this only contend for the host's cores. */
    public static final int MAX_DEVICE_THREADS = 64;

    public EmulatorConfig
    {
        Objects.requireNonNull(backend, "backend");
        if (backend == Backend.FILE && file == null)
        {
            throw new IllegalArgumentException("a file-backed emulated controller needs a file");
        }
        if (blockSize != 512 && blockSize != 4096)
        {
            throw new IllegalArgumentException("block size must be 512 or 4096, not " + blockSize);
        }
        if (namespaces < 1 || namespaces > 1024)
        {
            throw new IllegalArgumentException("namespaces must be 1..1024, not " + namespaces);
        }
        if (namespaceBytes < blockSize || namespaceBytes % blockSize != 0)
        {
            throw new IllegalArgumentException(
                "namespace size " + namespaceBytes + " is not a positive multiple of the block size " + blockSize);
        }
        if (namespaceBytes > Long.MAX_VALUE / namespaces)
        {
            throw new IllegalArgumentException(
                namespaces + " namespaces of " + namespaceBytes + " bytes exceed 2^63 bytes, the most a store can address");
        }
        if (backend == Backend.MEMORY && namespaceBytes > MemoryStore.MAX_BYTES)
        {
            throw new IllegalArgumentException("an in-memory namespace holds at most " + MemoryStore.MAX_BYTES +
                " bytes (64 TiB, allocated as it is written), not " + namespaceBytes);
        }
        if (maxIoQueuePairs < 1 || maxIoQueuePairs > 65535)
        {
            throw new IllegalArgumentException("I/O queue pairs must be 1..65535, not " + maxIoQueuePairs);
        }
        if (maxQueueEntries < 2 || maxQueueEntries > 65536)
        {
            throw new IllegalArgumentException("queue entries must be 2..65536, not " + maxQueueEntries);
        }
        if (mdts < 0 || mdts > 15)
        {
            throw new IllegalArgumentException("mdts must be 0..15, not " + mdts);
        }
        if (mappingLimit < 1)
        {
            throw new IllegalArgumentException("mapping limit must be positive, not " + mappingLimit);
        }
        if (iovaLimit < (1L << 24))
        {
            throw new IllegalArgumentException("IOVA limit must be at least 16 MiB, not " + iovaLimit);
        }
        if (deviceThreads < 0 || deviceThreads > MAX_DEVICE_THREADS)
        {
            throw new IllegalArgumentException(
                "device threads must be 0.." + MAX_DEVICE_THREADS + " (0: on the doorbell writer's thread), not " + deviceThreads);
        }
        latency = latency == null ? LatencyModel.NONE : latency;
        faults = faults == null ? List.of() : List.copyOf(faults);
        serial = serial == null ? "NVMEQ0001" : serial;
        model = model == null ? "nvmeq emulated controller" : model;
        firmware = firmware == null ? "0.1" : firmware;
        givenGeometry = givenGeometry == null ? EnumSet.allOf(Geometry.class) : Set.copyOf(givenGeometry);
    }

    /** The configuration without a latency model or faults (the components before those existed). */
    public EmulatorConfig(
        final Backend backend, final Path file, final int namespaces, final long namespaceBytes, final int blockSize,
        final int maxIoQueuePairs, final int maxQueueEntries, final int mdts, final String serial, final String model,
        final String firmware, final int mappingLimit, final long iovaLimit)
    {
        this(backend, file, namespaces, namespaceBytes, blockSize, maxIoQueuePairs, maxQueueEntries, mdts, serial,
            model, firmware, mappingLimit, iovaLimit, LatencyModel.NONE, List.of(), EnumSet.allOf(Geometry.class), 0);
    }

    public static Builder builder()
    {
        return new Builder();
    }

    public long blocksPerNamespace()
    {
        return namespaceBytes / blockSize;
    }

    /** Bytes of every namespace together (what an {@code emu:file:} image holds). */
    public long totalBytes()
    {
        return namespaces * namespaceBytes;
    }

    /** This configuration with the geometry an existing image records (all of it counts as given). */
    EmulatorConfig withGeometry(final ImageGeometry geometry)
    {
        return new EmulatorConfig(backend, file, geometry.namespaces(), geometry.namespaceBytes(), geometry.blockSize(),
            maxIoQueuePairs, maxQueueEntries, mdts, serial, model, firmware, mappingLimit, iovaLimit, latency, faults,
            EnumSet.allOf(Geometry.class), deviceThreads);
    }

    public static final class Builder
    {
        private Backend backend = Backend.MEMORY;
        private Path file;
        private int namespaces = 1;
        private long namespaceBytes = DEFAULT_NAMESPACE_BYTES;
        private int blockSize = DEFAULT_BLOCK_SIZE;
        private int maxIoQueuePairs = DEFAULT_MAX_IO_QUEUE_PAIRS;
        private int maxQueueEntries = DEFAULT_MAX_QUEUE_ENTRIES;
        private int mdts = DEFAULT_MDTS;
        private String serial;
        private String model;
        private String firmware;
        private int mappingLimit = DEFAULT_MAPPING_LIMIT;
        private long iovaLimit = DEFAULT_IOVA_LIMIT;
        private LatencyModel latency = LatencyModel.NONE;
        private final List<FaultSpec> faults = new ArrayList<>();
        private final Set<Geometry> givenGeometry = EnumSet.noneOf(Geometry.class);
        private int deviceThreads;

        public Builder backend(final Backend backend)
        {
            this.backend = backend;
            return this;
        }

        public Builder file(final Path file)
        {
            this.file = file;
            this.backend = Backend.FILE;
            return this;
        }

        public Builder namespaces(final int namespaces)
        {
            this.namespaces = namespaces;
            this.givenGeometry.add(Geometry.NAMESPACES);
            return this;
        }

        public Builder namespaceBytes(final long namespaceBytes)
        {
            this.namespaceBytes = namespaceBytes;
            this.givenGeometry.add(Geometry.NAMESPACE_BYTES);
            return this;
        }

        public Builder blockSize(final int blockSize)
        {
            this.blockSize = blockSize;
            this.givenGeometry.add(Geometry.BLOCK_SIZE);
            return this;
        }

        public Builder maxIoQueuePairs(final int maxIoQueuePairs)
        {
            this.maxIoQueuePairs = maxIoQueuePairs;
            return this;
        }

        public Builder maxQueueEntries(final int maxQueueEntries)
        {
            this.maxQueueEntries = maxQueueEntries;
            return this;
        }

        public Builder mdts(final int mdts)
        {
            this.mdts = mdts;
            return this;
        }

        public Builder serial(final String serial)
        {
            this.serial = serial;
            return this;
        }

        public Builder model(final String model)
        {
            this.model = model;
            return this;
        }

        public Builder firmware(final String firmware)
        {
            this.firmware = firmware;
            return this;
        }

        public Builder mappingLimit(final int mappingLimit)
        {
            this.mappingLimit = mappingLimit;
            return this;
        }

        public Builder iovaLimit(final long iovaLimit)
        {
            this.iovaLimit = iovaLimit;
            return this;
        }

        public Builder latency(final LatencyModel latency)
        {
            this.latency = Objects.requireNonNull(latency, "latency");
            return this;
        }

        public Builder readLatency(final ServiceTime serviceTime)
        {
            this.latency = latency.withRead(serviceTime);
            return this;
        }

        public Builder writeLatency(final ServiceTime serviceTime)
        {
            this.latency = latency.withWrite(serviceTime);
            return this;
        }

        public Builder flushLatency(final ServiceTime serviceTime)
        {
            this.latency = latency.withFlush(serviceTime);
            return this;
        }

        /** Internal channels of the latency model (commands served at once). */
        public Builder channels(final int channels)
        {
            this.latency = latency.withChannels(channels);
            return this;
        }

        /** Adds a fault armed at creation. */
        public Builder fault(final FaultSpec fault)
        {
            this.faults.add(Objects.requireNonNull(fault, "fault"));
            return this;
        }

        /** Threads of the device's own; 0 (the default): commands run on the doorbell writer's thread. */
        public Builder deviceThreads(final int deviceThreads)
        {
            this.deviceThreads = deviceThreads;
            return this;
        }

        public EmulatorConfig build()
        {
            return new EmulatorConfig(
                backend, file, namespaces, namespaceBytes, blockSize, maxIoQueuePairs, maxQueueEntries, mdts,
                serial, model, firmware, mappingLimit, iovaLimit, latency, faults, givenGeometry, deviceThreads);
        }
    }
}
