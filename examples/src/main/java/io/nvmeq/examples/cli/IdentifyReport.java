package io.nvmeq.examples.cli;

import java.io.PrintWriter;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;

import io.nvmeq.engine.ControllerInfo;
import io.nvmeq.engine.NamespaceInfo;
import io.nvmeq.hw.spec.IdentifyController;
import io.nvmeq.hw.spec.IdentifyNamespace;

/**
 * Identify data as nvme-cli's {@code id-ctrl} and {@code id-ns} show it (every field the controller reports, in
 * nvme-cli's names, order and formats, so that what people and scripts know from nvme-cli reads the same here),
 * and apart from it what the nvmeq driver negotiated with the controller.
 */
final class IdentifyReport
{
    private IdentifyReport()
    {
    }

    static IdentifyController controllerData(final ControllerInfo controller)
    {
        return new IdentifyController().wrap(new UnsafeBuffer(controller.identifyData().toArray()), 0);
    }

    static IdentifyNamespace namespaceData(final NamespaceInfo namespace)
    {
        return new IdentifyNamespace().wrap(new UnsafeBuffer(namespace.identifyData().toArray()), 0);
    }

    /** nvme-cli's {@code id-ctrl}, then {@code id-ns} of each namespace, then the driver's own state. */
    static void normal(
        final PrintWriter out, final String device, final ControllerInfo controller, final List<NamespaceInfo> namespaces)
    {
        IdControllerReport.normal(out, controllerData(controller));
        for (final NamespaceInfo namespace : namespaces)
        {
            out.println();
            IdNamespaceReport.normal(out, namespace.nsid(), namespaceData(namespace));
        }
        out.println();
        out.println("nvmeq driver state:");
        out.printf("device                  : %s%n", device);
        out.printf("NVMe version (VS)       : %s%n", controller.version());
        out.printf("max queue entries       : %d%n", controller.maxQueueEntries());
        out.printf("I/O queue pairs granted : %d%n", controller.grantedIoQueuePairs());
        out.printf("memory page size        : %d%n", controller.pageSize());
        out.printf("max transfer bytes      : %s%n",
            controller.maxTransferBytes() == 0 ? "no limit" : Long.toString(controller.maxTransferBytes()));
        out.printf("doorbell stride         : %d%n", controller.doorbellStride());
        out.printf("ready timeout (CAP.TO)  : %d ms%n", controller.readyTimeoutMillis());
        for (final NamespaceInfo namespace : namespaces)
        {
            out.printf("namespace %-13d : %d bytes (%d blocks of %d bytes)%n",
                namespace.nsid(), namespace.bytes(), namespace.blocks(), namespace.blockSize());
        }
        out.flush();
    }

    /**
     * One JSON object: {@code id_ctrl} is nvme-cli's {@code id-ctrl -o json} object, each of {@code namespaces}
     * holds its {@code nsid} and nvme-cli's {@code id-ns -o json} object, and {@code nvmeq} the driver's state.
     */
    static void json(
        final PrintWriter out, final String device, final ControllerInfo controller, final List<NamespaceInfo> namespaces)
    {
        final JsonWriter json = new JsonWriter().beginObject();
        json.name("id_ctrl").beginObject();
        IdControllerReport.json(json, controllerData(controller));
        json.endObject();
        json.name("namespaces").beginArray();
        for (final NamespaceInfo namespace : namespaces)
        {
            json.beginObject().field("nsid", namespace.nsid());
            json.name("id_ns").beginObject();
            IdNamespaceReport.json(json, namespaceData(namespace));
            json.endObject().endObject();
        }
        json.endArray();
        json.name("nvmeq").beginObject()
            .field("device", device)
            .field("version", controller.version())
            .field("max_queue_entries", controller.maxQueueEntries())
            .field("io_queue_pairs", controller.grantedIoQueuePairs())
            .field("page_size", controller.pageSize())
            .field("max_transfer_bytes", controller.maxTransferBytes())
            .field("doorbell_stride", controller.doorbellStride())
            .field("ready_timeout_ms", controller.readyTimeoutMillis());
        json.name("namespaces").beginArray();
        for (final NamespaceInfo namespace : namespaces)
        {
            json.beginObject()
                .field("nsid", namespace.nsid())
                .field("block_size", namespace.blockSize())
                .field("blocks", namespace.blocks())
                .field("size_bytes", namespace.bytes())
                .endObject();
        }
        json.endArray().endObject().endObject();
        out.println(json);
        out.flush();
    }

    /** nvme-cli's {@code id-ctrl -o json} (or {@code id-ns -o json}) alone: one object, as nvme-cli prints it. */
    static void jsonController(final PrintWriter out, final ControllerInfo controller)
    {
        final JsonWriter json = new JsonWriter().beginObject();
        IdControllerReport.json(json, controllerData(controller));
        out.println(json.endObject());
        out.flush();
    }

    static void jsonNamespace(final PrintWriter out, final NamespaceInfo namespace)
    {
        final JsonWriter json = new JsonWriter().beginObject();
        IdNamespaceReport.json(json, namespaceData(namespace));
        out.println(json.endObject());
        out.flush();
    }

    /** As C's {@code %#x} prints, and so nvme-cli: {@code 0} for zero, else {@code 0x} and lower-case hex digits. */
    static String hex(final long value)
    {
        return value == 0 ? "0" : "0x" + Long.toHexString(value);
    }
}
