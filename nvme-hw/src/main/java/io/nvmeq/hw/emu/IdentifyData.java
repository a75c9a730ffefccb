package io.nvmeq.hw.emu;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import org.agrona.concurrent.UnsafeBuffer;

import io.nvmeq.hw.spec.IdentifyController;
import io.nvmeq.hw.spec.IdentifyNamespace;
import io.nvmeq.hw.spec.Status;
import io.nvmeq.hw.spec.SubmissionEntry;

/**
 * Identify (NVMe base spec 2.0 §5.17): builds the 4 KiB data structure for CNS 0 (namespace, NVM
 * command set spec 1.0 §4.1.5.1), CNS 1 (controller) and CNS 2 (active namespace list) in controller
 * memory and transfers it to the host buffer that PRP1/PRP2 describe.
 */
final class IdentifyData
{
    private static final int NSID_BROADCAST = 0xFFFF_FFFF;
    private static final int NSID_LIST_MAX = 1024;
    /** VWC: present (bit 0), and Flush with NSID FFFFFFFFh flushes all namespaces (bits 2:1 = 11b). */
    private static final int VWC_PRESENT_BROADCAST_FLUSH = 0x7;
    /** DLFEAT: deallocated blocks read zeroes (001b) and Write Zeroes honours its Deallocate bit (bit 3). */
    private static final int DLFEAT = IdentifyNamespace.DLFEAT_READS_ZEROES | (1 << 3);

    private static final int LPA_EXTENDED_DATA = 1 << 2;
    private static final int WARNING_TEMPERATURE_KELVIN = 343;
    private static final int CRITICAL_TEMPERATURE_KELVIN = 373;

    private final EmulatedController controller;
    private final IdentifyController controllerData = new IdentifyController();
    private final IdentifyNamespace namespaceData = new IdentifyNamespace();

    IdentifyData(final EmulatedController controller)
    {
        this.controller = controller;
    }

    int execute(final CommandContext context)
    {
        final SubmissionEntry entry = context.entry;
        final UnsafeBuffer data = context.scratch;
        data.setMemory(0, IdentifyController.SIZE, (byte)0);
        final int cns = entry.cdw(10) & 0xFF;
        final int nsid = entry.namespaceId();
        switch (cns)
        {
            case 0x00:
            {
                final Namespace namespace = controller.namespace(nsid);
                if (namespace == null)
                {
                    return Status.withDnr(Status.INVALID_NAMESPACE);
                }
                fillNamespace(data, namespace);
                break;
            }
            case 0x01:
                fillController(data);
                break;
            case 0x02:
                // Active NSIDs greater than CDW1.NSID; FFFFFFFEh and FFFFFFFFh are not valid here.
                if (nsid == NSID_BROADCAST || nsid == NSID_BROADCAST - 1)
                {
                    return Status.withDnr(Status.INVALID_NAMESPACE);
                }
                int listed = 0;
                for (int id = 1; id <= controller.namespaceCount() && listed < NSID_LIST_MAX; id++)
                {
                    if (Integer.compareUnsigned(id, nsid) > 0)
                    {
                        data.putInt(listed * 4, id);
                        listed++;
                    }
                }
                break;
            default:
                return Status.withDnr(Status.INVALID_FIELD);
        }
        final int status = context.prps.resolve(entry.prp1(), entry.prp2(), IdentifyController.SIZE);
        if (status != Status.SUCCESS)
        {
            return status;
        }
        return context.prps.toHost(data.addressOffset()) ? Status.SUCCESS : Status.withDnr(Status.DATA_TRANSFER_ERROR);
    }

    private void fillController(final UnsafeBuffer data)
    {
        final EmulatorConfig config = controller.config();
        controllerData.wrap(data, 0)
            .vendorId(EmulatedController.VENDOR_ID)
            .serialNumber(config.serial())
            .modelNumber(config.model())
            .firmwareRevision(config.firmware())
            .mdts(config.mdts())
            .controllerId(EmulatedController.CONTROLLER_ID)
            .version(EmulatedRegisters.VERSION)
            .abortCommandLimit(AdminCommands.ABORT_LIMIT)
            .asyncEventRequestLimit(AdminCommands.ASYNC_EVENT_LIMIT)
            .queueEntrySizes()
            .maxCommands(Math.min(config.maxQueueEntries(), 0xFFFF))
            .namespaceCount(config.namespaces())
            .oncs(IdentifyController.ONCS_WRITE_ZEROES | IdentifyController.ONCS_DATASET_MANAGEMENT)
            .controllerType(IdentifyController.CNTRLTYPE_IO)
            .awun(0);
        data.putByte(IdentifyController.VWC, (byte)VWC_PRESENT_BROADCAST_FLUSH);
        // LPA: Get Log Page takes extended data (NUMDU, offsets); SMART is kept per controller only.
        data.putByte(IdentifyController.LPA, (byte)LPA_EXTENDED_DATA);
        data.putByte(IdentifyController.ELPE, (byte)(ErrorLog.ENTRIES - 1));
        // WCTEMP/CCTEMP: non-zero from NVMe 1.2 on, since SMART reports a composite temperature (QEMU's values).
        data.putShort(IdentifyController.WCTEMP, (short)WARNING_TEMPERATURE_KELVIN);
        data.putShort(IdentifyController.CCTEMP, (short)CRITICAL_TEMPERATURE_KELVIN);
        // FRMW: one firmware slot, read-only. SUBNQN: required since NVMe 1.2.1.
        data.putByte(IdentifyController.FRMW, (byte)((1 << 1) | 1));
        final byte[] nqn = ("nqn.2024-01.io.nvmeq:emu:" + config.serial()).getBytes(StandardCharsets.US_ASCII);
        data.putBytes(IdentifyController.SUBNQN, nqn, 0, Math.min(nqn.length, 255));
    }

    private void fillNamespace(final UnsafeBuffer data, final Namespace namespace)
    {
        namespaceData.wrap(data, 0)
            .size(namespace.blocks)
            .capacity(namespace.blocks)
            .utilization(namespace.blocks)
            .features(0)
            .singleLbaFormat(namespace.blockShift)
            .deallocateFeatures(DLFEAT);
        // EUI64: unique per controller serial and namespace, so hosts can tell namespaces apart.
        final long eui = ((long)EmulatedController.VENDOR_ID << 48)
            | ((controller.config().serial().hashCode() & 0xFFFFL) << 32)
            | (namespace.nsid & 0xFFFF_FFFFL);
        data.putLong(IdentifyNamespace.EUI64, eui, ByteOrder.BIG_ENDIAN);
    }
}
