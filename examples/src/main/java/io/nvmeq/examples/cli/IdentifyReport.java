package io.nvmeq.examples.cli;

import java.io.PrintWriter;
import java.util.List;

import io.nvmeq.engine.ControllerInfo;
import io.nvmeq.engine.NamespaceInfo;

/**
 * Identify data laid out as nvme-cli's {@code id-ctrl} and {@code id-ns} show it (the same field names, so that
 * what people know from nvme-cli reads the same here), followed by what nvmeq negotiated with the controller.
 */
final class IdentifyReport
{
    private IdentifyReport()
    {
    }

    static void normal(final PrintWriter out, final ControllerInfo controller, final List<NamespaceInfo> namespaces)
    {
        out.println("NVME Identify Controller:");
        out.printf("vid       : %s%n", hex(controller.vendorId()));
        out.printf("sn        : %s%n", controller.serial());
        out.printf("mn        : %s%n", controller.model());
        out.printf("fr        : %s%n", controller.firmware());
        out.printf("mdts      : %d%n", controller.mdts());
        out.printf("cntlid    : %s%n", hex(controller.controllerId()));
        out.printf("ver       : %s%n", controller.version());
        out.printf("oncs      : %s%n", hex(controller.oncs()));
        out.printf("vwc       : %s%n", hex(controller.volatileWriteCache() ? 1 : 0));
        out.printf("nn        : %d%n", controller.namespaceCount());
        out.println();
        out.println("nvmeq controller state:");
        out.printf("max queue entries       : %d%n", controller.maxQueueEntries());
        out.printf("I/O queue pairs granted : %d%n", controller.grantedIoQueuePairs());
        out.printf("memory page size        : %d%n", controller.pageSize());
        out.printf("max transfer bytes      : %s%n",
            controller.maxTransferBytes() == 0 ? "no limit" : Long.toString(controller.maxTransferBytes()));
        out.printf("doorbell stride         : %d%n", controller.doorbellStride());
        out.printf("ready timeout (CAP.TO)  : %d ms%n", controller.readyTimeoutMillis());
        for (final NamespaceInfo namespace : namespaces)
        {
            out.println();
            out.printf("NVME Identify Namespace %d:%n", namespace.nsid());
            out.printf("nsze    : %s%n", hex(namespace.blocks()));
            out.printf("ncap    : %s%n", hex(namespace.capacityBlocks()));
            out.printf("nuse    : %s%n", hex(namespace.utilizationBlocks()));
            out.printf("nlbaf   : %d%n", namespace.lbaFormatCount() - 1);
            out.printf("flbas   : %s%n", hex(namespace.lbaFormatIndex()));
            out.printf("lbaf %2d : ms:%-3d lbads:%-2d rp:%s (in use)%n",
                namespace.lbaFormatIndex(), namespace.metadataSize(), lbads(namespace),
                hex(namespace.relativePerformance()));
            out.printf("size    : %d bytes (%d blocks of %d bytes)%n",
                namespace.bytes(), namespace.blocks(), namespace.blockSize());
        }
        out.flush();
    }

    static void json(final PrintWriter out, final ControllerInfo controller, final List<NamespaceInfo> namespaces)
    {
        final JsonWriter json = new JsonWriter().beginObject();
        json.name("controller").beginObject()
            .field("vid", controller.vendorId())
            .field("sn", controller.serial())
            .field("mn", controller.model())
            .field("fr", controller.firmware())
            .field("mdts", controller.mdts())
            .field("cntlid", controller.controllerId())
            .field("ver", controller.version())
            .field("oncs", controller.oncs())
            .field("vwc", controller.volatileWriteCache() ? 1 : 0)
            .field("nn", controller.namespaceCount())
            .field("max_queue_entries", controller.maxQueueEntries())
            .field("io_queue_pairs", controller.grantedIoQueuePairs())
            .field("page_size", controller.pageSize())
            .field("max_transfer_bytes", controller.maxTransferBytes())
            .field("doorbell_stride", controller.doorbellStride())
            .field("ready_timeout_ms", controller.readyTimeoutMillis())
            .endObject();
        json.name("namespaces").beginArray();
        for (final NamespaceInfo namespace : namespaces)
        {
            json.beginObject()
                .field("nsid", namespace.nsid())
                .field("nsze", namespace.blocks())
                .field("ncap", namespace.capacityBlocks())
                .field("nuse", namespace.utilizationBlocks())
                .field("nlbaf", namespace.lbaFormatCount() - 1)
                .field("flbas", namespace.lbaFormatIndex())
                .field("block_size", namespace.blockSize())
                .field("size_bytes", namespace.bytes());
            json.name("lbafs").beginArray().beginObject()
                .field("index", namespace.lbaFormatIndex())
                .field("ms", namespace.metadataSize())
                .field("ds", lbads(namespace))
                .field("rp", namespace.relativePerformance())
                .endObject().endArray();
            json.endObject();
        }
        json.endArray().endObject();
        out.println(json);
        out.flush();
    }

    /** As C's {@code %#x} prints, and so nvme-cli: {@code 0} for zero, else {@code 0x} and lower-case hex digits. */
    static String hex(final long value)
    {
        return value == 0 ? "0" : "0x" + Long.toHexString(value);
    }

    /** LBA data size as a power of two, as Identify Namespace reports it (9 for 512-byte blocks). */
    private static int lbads(final NamespaceInfo namespace)
    {
        return Integer.numberOfTrailingZeros(namespace.blockSize());
    }
}
