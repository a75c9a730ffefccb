package io.nvmeq.examples.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

import io.nvmeq.hw.spec.IdentifyNamespace;

/**
 * Identify Namespace as {@code nvme id-ns} shows it: every field, in nvme-cli's names, order and formats (normal
 * output and {@code -o json}), then the LBA formats.
 */
final class IdNamespaceReport
{
    private static final List<IdField> SIZES_AND_ATOMICS = List.of(
        IdField.hex("nsze", IdentifyNamespace.NSZE, 8),
        IdField.hex("ncap", IdentifyNamespace.NCAP, 8),
        IdField.hex("nuse", IdentifyNamespace.NUSE, 8),
        IdField.hex("nsfeat", IdentifyNamespace.NSFEAT, 1),
        IdField.decimal("nlbaf", IdentifyNamespace.NLBAF, 1),
        IdField.hex("flbas", IdentifyNamespace.FLBAS, 1),
        IdField.hex("mc", IdentifyNamespace.MC, 1),
        IdField.hex("dpc", IdentifyNamespace.DPC, 1),
        IdField.hex("dps", IdentifyNamespace.DPS, 1),
        IdField.hex("nmic", IdentifyNamespace.NMIC, 1),
        IdField.hex("rescap", IdentifyNamespace.RESCAP, 1),
        IdField.hex("fpi", IdentifyNamespace.FPI, 1),
        IdField.decimal("dlfeat", IdentifyNamespace.DLFEAT, 1),
        IdField.decimal("nawun", IdentifyNamespace.NAWUN, 2),
        IdField.decimal("nawupf", IdentifyNamespace.NAWUPF, 2),
        IdField.decimal("nacwu", IdentifyNamespace.NACWU, 2),
        IdField.decimal("nabsn", IdentifyNamespace.NABSN, 2),
        IdField.decimal("nabo", IdentifyNamespace.NABO, 2),
        IdField.decimal("nabspf", IdentifyNamespace.NABSPF, 2),
        IdField.decimal("noiob", IdentifyNamespace.NOIOB, 2),
        IdField.decimal("nvmcap", IdentifyNamespace.NVMCAP, 16));

    /** Shown only when NSFEAT says they are defined (bits 4 or 5); NPDG only with bit 4. */
    private static final List<IdField> OPTIMAL_PERFORMANCE = List.of(
        IdField.decimal("npwg", IdentifyNamespace.NPWG, 2),
        IdField.decimal("npwa", IdentifyNamespace.NPWA, 2),
        IdField.decimal("npdg", IdentifyNamespace.NPDG, 2),
        IdField.decimal("npda", IdentifyNamespace.NPDA, 2),
        IdField.decimal("nows", IdentifyNamespace.NOWS, 2));

    private static final List<IdField> REST = List.of(
        IdField.decimal("mssrl", IdentifyNamespace.MSSRL, 2),
        IdField.decimal("mcl", IdentifyNamespace.MCL, 4),
        IdField.decimal("msrc", IdentifyNamespace.MSRC, 1),
        IdField.decimal("kpios", IdentifyNamespace.KPIOS, 1),
        IdField.decimal("nulbaf", IdentifyNamespace.NULBAF, 1),
        IdField.decimal("kpiodaag", IdentifyNamespace.KPIODAAG, 4),
        IdField.decimal("anagrpid", IdentifyNamespace.ANAGRPID, 4),
        IdField.decimal("nsattr", IdentifyNamespace.NSATTR, 1),
        IdField.decimal("nvmsetid", IdentifyNamespace.NVMSETID, 2),
        IdField.decimal("endgid", IdentifyNamespace.ENDGID, 2),
        new IdField("nguid", IdentifyNamespace.NGUID, 16, IdField.Style.HEX_BYTES),
        new IdField("eui64", IdentifyNamespace.EUI64, 8, IdField.Style.HEX_BYTES));

    /** Vendor Specific, bytes 384..4095. */
    private static final int VENDOR_SPECIFIC = 384;

    private IdNamespaceReport()
    {
    }

    /** The fields this namespace's data defines, in nvme-cli's order. */
    static List<IdField> fields(final IdentifyNamespace data)
    {
        final int nsfeat = data.unsigned8(IdentifyNamespace.NSFEAT);
        final List<IdField> fields = new ArrayList<>(SIZES_AND_ATOMICS);
        if ((nsfeat & IdentifyNamespace.NSFEAT_OPTIMAL_PERFORMANCE) != 0)
        {
            for (final IdField field : OPTIMAL_PERFORMANCE)
            {
                if (field.offset() != IdentifyNamespace.NPDG || (nsfeat & IdentifyNamespace.NSFEAT_OPTPERF_ALL) != 0)
                {
                    fields.add(field);
                }
            }
        }
        fields.addAll(REST);
        return fields;
    }

    static void normal(final PrintWriter out, final int nsid, final IdentifyNamespace data)
    {
        out.printf("NVME Identify Namespace %d:%n", nsid);
        for (final IdField field : fields(data))
        {
            // nvme-cli's own layout, its tab after "nsattr" included, so that what parses its output parses this.
            final String label = field.offset() == IdentifyNamespace.NSATTR ? "nsattr\t" : String.format("%-8s", field.name());
            out.printf("%s: %s%n", label, field.text(data));
        }
        final int inUse = formatInUse(data);
        final int formats = data.unsigned8(IdentifyNamespace.NLBAF) + data.unsigned8(IdentifyNamespace.NULBAF);
        for (int format = 0; format <= formats; format++)
        {
            out.printf("lbaf %2d : ms:%-3d lbads:%-2d rp:%s %s%n", format, data.metadataSize(format),
                data.dataLbaShift(format), IdentifyReport.hex(data.relativePerformance(format)),
                format == inUse ? "(in use)" : "");
        }
    }

    /** The members of nvme-cli's id-ns JSON object, into the object {@code json} has open. */
    static void json(final JsonWriter json, final IdentifyNamespace data)
    {
        for (final IdField field : fields(data))
        {
            field.json(json, data);
        }
        final int inUse = formatInUse(data);
        json.name("lbafs").beginArray();
        for (int format = 0; format <= data.unsigned8(IdentifyNamespace.NLBAF); format++)
        {
            json.beginObject()
                .field("lbaf", format)
                .field("ms", data.metadataSize(format))
                .field("ds", data.dataLbaShift(format))
                .field("rp", data.relativePerformance(format))
                .field("in_use", format == inUse ? 1 : 0)
                .endObject();
        }
        json.endArray();
        if (data.unsigned8(VENDOR_SPECIFIC) == 0)
        {
            json.name("vs").beginArray().endArray(); // nvme-cli's dump of an empty vendor-specific area
        }
    }

    /** FLBAS: the format in use, bits 3:0, with bits 6:5 as its upper bits when there are more than 16. */
    static int formatInUse(final IdentifyNamespace data)
    {
        final int flbas = data.unsigned8(IdentifyNamespace.FLBAS);
        return ((flbas >> 5) & 0x3) << 4 | (flbas & 0xF);
    }
}
