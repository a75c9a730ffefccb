package io.nvmeq.examples.cli;

import java.io.PrintWriter;
import java.util.List;

import io.nvmeq.hw.spec.IdentifyController;

/**
 * Identify Controller as {@code nvme id-ctrl} shows it: every field of the data structure, in nvme-cli's names,
 * order and formats (normal output and {@code -o json}), then the power state descriptors.
 */
final class IdControllerReport
{
    /** Every field nvme-cli shows, in its order (nvme-cli 2.x, NVMe base spec 2.1 layout). */
    static final List<IdField> FIELDS = List.of(
        IdField.hex("vid", IdentifyController.VID, 2),
        IdField.hex("ssvid", IdentifyController.SSVID, 2),
        new IdField("sn", IdentifyController.SN, 20, IdField.Style.TEXT),
        new IdField("mn", IdentifyController.MN, 40, IdField.Style.TEXT),
        new IdField("fr", IdentifyController.FR, 8, IdField.Style.TEXT),
        IdField.decimal("rab", IdentifyController.RAB, 1),
        new IdField("ieee", IdentifyController.IEEE, 3, IdField.Style.OUI),
        IdField.hex("cmic", IdentifyController.CMIC, 1),
        IdField.decimal("mdts", IdentifyController.MDTS, 1),
        IdField.hex("cntlid", IdentifyController.CNTLID, 2),
        IdField.hex("ver", IdentifyController.VER, 4),
        IdField.hex("rtd3r", IdentifyController.RTD3R, 4),
        IdField.hex("rtd3e", IdentifyController.RTD3E, 4),
        IdField.hex("oaes", IdentifyController.OAES, 4),
        IdField.hex("ctratt", IdentifyController.CTRATT, 4),
        IdField.hex("rrls", IdentifyController.RRLS, 2),
        IdField.hex("bpcap", IdentifyController.BPCAP, 1),
        IdField.hex("nssl", IdentifyController.NSSL, 4),
        IdField.decimal("plsi", IdentifyController.PLSI, 1),
        IdField.decimal("cntrltype", IdentifyController.CNTRLTYPE, 1),
        new IdField("fguid", IdentifyController.FGUID, 16, IdField.Style.UUID),
        IdField.decimal("crdt1", IdentifyController.CRDT1, 2),
        IdField.decimal("crdt2", IdentifyController.CRDT2, 2),
        IdField.decimal("crdt3", IdentifyController.CRDT3, 2),
        IdField.decimal("crcap", IdentifyController.CRCAP, 1),
        IdField.decimal("nvmsr", IdentifyController.NVMSR, 1),
        IdField.decimal("vwci", IdentifyController.VWCI, 1),
        IdField.decimal("mec", IdentifyController.MEC, 1),
        IdField.hex("oacs", IdentifyController.OACS, 2),
        IdField.decimal("acl", IdentifyController.ACL, 1),
        IdField.decimal("aerl", IdentifyController.AERL, 1),
        IdField.hex("frmw", IdentifyController.FRMW, 1),
        IdField.hex("lpa", IdentifyController.LPA, 1),
        IdField.decimal("elpe", IdentifyController.ELPE, 1),
        IdField.decimal("npss", IdentifyController.NPSS, 1),
        IdField.hex("avscc", IdentifyController.AVSCC, 1),
        IdField.hex("apsta", IdentifyController.APSTA, 1),
        IdField.decimal("wctemp", IdentifyController.WCTEMP, 2),
        IdField.decimal("cctemp", IdentifyController.CCTEMP, 2),
        IdField.decimal("mtfa", IdentifyController.MTFA, 2),
        IdField.decimal("hmpre", IdentifyController.HMPRE, 4),
        IdField.decimal("hmmin", IdentifyController.HMMIN, 4),
        IdField.decimal("tnvmcap", IdentifyController.TNVMCAP, 16),
        IdField.decimal("unvmcap", IdentifyController.UNVMCAP, 16),
        IdField.hex("rpmbs", IdentifyController.RPMBS, 4),
        IdField.decimal("edstt", IdentifyController.EDSTT, 2),
        IdField.decimal("dsto", IdentifyController.DSTO, 1),
        IdField.decimal("fwug", IdentifyController.FWUG, 1),
        IdField.decimal("kas", IdentifyController.KAS, 2),
        IdField.hex("hctma", IdentifyController.HCTMA, 2),
        IdField.decimal("mntmt", IdentifyController.MNTMT, 2),
        IdField.decimal("mxtmt", IdentifyController.MXTMT, 2),
        IdField.hex("sanicap", IdentifyController.SANICAP, 4),
        IdField.decimal("hmminds", IdentifyController.HMMINDS, 4),
        IdField.decimal("hmmaxd", IdentifyController.HMMAXD, 2),
        IdField.decimal("nsetidmax", IdentifyController.NSETIDMAX, 2),
        IdField.decimal("endgidmax", IdentifyController.ENDGIDMAX, 2),
        IdField.decimal("anatt", IdentifyController.ANATT, 1),
        IdField.decimal("anacap", IdentifyController.ANACAP, 1),
        IdField.decimal("anagrpmax", IdentifyController.ANAGRPMAX, 4),
        IdField.decimal("nanagrpid", IdentifyController.NANAGRPID, 4),
        IdField.decimal("pels", IdentifyController.PELS, 4),
        IdField.decimal("domainid", IdentifyController.DOMAINID, 2),
        IdField.decimal("kpioc", IdentifyController.KPIOC, 1),
        IdField.decimal("mptfawr", IdentifyController.MPTFAWR, 2),
        IdField.decimal("megcap", IdentifyController.MEGCAP, 16),
        IdField.hex("tmpthha", IdentifyController.TMPTHHA, 1),
        IdField.decimal("cqt", IdentifyController.CQT, 2),
        IdField.decimal("cdpa", IdentifyController.CDPA, 2),
        IdField.decimal("mup", IdentifyController.MUP, 2),
        IdField.hex("ipmsr", IdentifyController.IPMSR, 2),
        IdField.hex("msmt", IdentifyController.MSMT, 2),
        IdField.hex("sqes", IdentifyController.SQES, 1),
        IdField.hex("cqes", IdentifyController.CQES, 1),
        IdField.decimal("maxcmd", IdentifyController.MAXCMD, 2),
        IdField.decimal("nn", IdentifyController.NN, 4),
        IdField.hex("oncs", IdentifyController.ONCS, 2),
        IdField.hex("fuses", IdentifyController.FUSES, 2),
        IdField.hex("fna", IdentifyController.FNA, 1),
        IdField.hex("vwc", IdentifyController.VWC, 1),
        IdField.decimal("awun", IdentifyController.AWUN, 2),
        IdField.decimal("awupf", IdentifyController.AWUPF, 2),
        IdField.decimal("icsvscc", IdentifyController.ICSVSCC, 1),
        IdField.decimal("nwpc", IdentifyController.NWPC, 1),
        IdField.decimal("acwu", IdentifyController.ACWU, 2),
        IdField.hex("ocfs", IdentifyController.OCFS, 2),
        IdField.hex("sgls", IdentifyController.SGLS, 4),
        IdField.decimal("mnan", IdentifyController.MNAN, 4),
        IdField.decimal("maxdna", IdentifyController.MAXDNA, 16),
        IdField.decimal("maxcna", IdentifyController.MAXCNA, 4),
        IdField.decimal("oaqd", IdentifyController.OAQD, 4),
        IdField.decimal("rhiri", IdentifyController.RHIRI, 1),
        IdField.decimal("hirt", IdentifyController.HIRT, 1),
        IdField.decimal("cmmrtd", IdentifyController.CMMRTD, 2),
        IdField.decimal("nmmrtd", IdentifyController.NMMRTD, 2),
        IdField.decimal("minmrtg", IdentifyController.MINMRTG, 1),
        IdField.decimal("maxmrtg", IdentifyController.MAXMRTG, 1),
        IdField.decimal("trattr", IdentifyController.TRATTR, 1),
        IdField.decimal("mcudmq", IdentifyController.MCUDMQ, 2),
        IdField.decimal("mnsudmq", IdentifyController.MNSUDMQ, 2),
        IdField.decimal("mcmr", IdentifyController.MCMR, 2),
        IdField.decimal("nmcmr", IdentifyController.NMCMR, 2),
        IdField.decimal("mcdqpc", IdentifyController.MCDQPC, 2),
        new IdField("subnqn", IdentifyController.SUBNQN, 256, IdField.Style.TEXT),
        IdField.decimal("ioccsz", IdentifyController.IOCCSZ, 4),
        IdField.decimal("iorcsz", IdentifyController.IORCSZ, 4),
        IdField.decimal("icdoff", IdentifyController.ICDOFF, 2),
        IdField.hex("fcatt", IdentifyController.FCATT, 1),
        IdField.decimal("msdbd", IdentifyController.MSDBD, 1),
        IdField.decimal("ofcs", IdentifyController.OFCS, 2),
        IdField.decimal("dctype", IdentifyController.DCTYPE, 1),
        IdField.decimal("ccrl", IdentifyController.CCRL, 1));

    private static final int NOPS = 1 << 1;
    private static final int MXPS = 1 << 0;

    private IdControllerReport()
    {
    }

    static void normal(final PrintWriter out, final IdentifyController data)
    {
        out.println("NVME Identify Controller:");
        for (final IdField field : FIELDS)
        {
            out.printf("%-10s: %s%n", field.name(), field.text(data));
        }
        for (int state = 0; state < data.powerStateCount(); state++)
        {
            powerState(out, data, state);
        }
    }

    /** The members of nvme-cli's id-ctrl JSON object, into the object {@code json} has open. */
    static void json(final JsonWriter json, final IdentifyController data)
    {
        for (final IdField field : FIELDS)
        {
            if (field.offset() == IdentifyController.SUBNQN && field.ascii(data).isEmpty())
            {
                continue; // nvme-cli leaves an empty subnqn out
            }
            field.json(json, data);
        }
        json.name("psds").beginArray();
        for (int state = 0; state < data.powerStateCount(); state++)
        {
            final int psd = IdentifyController.PSD + state * IdentifyController.PSD_SIZE;
            final int flags = u8(data, psd + 3);
            final int ips = u8(data, psd + 18);
            final int apws = u8(data, psd + 22);
            final int times = u8(data, psd + 26);
            json.beginObject()
                .field("max_power", u16(data, psd))
                .field("max_power_scale", flags & MXPS)
                .field("non-operational_state", (flags & NOPS) != 0 ? 1 : 0)
                .field("entry_lat", data.unsigned(psd + 4, 4))
                .field("exit_lat", data.unsigned(psd + 8, 4))
                .field("read_tput", u8(data, psd + 12))
                .field("read_lat", u8(data, psd + 13))
                .field("write_tput", u8(data, psd + 14))
                .field("write_lat", u8(data, psd + 15))
                .field("idle_power", u16(data, psd + 16))
                .field("idle_scale", ips >> 6)
                .field("active_power", u16(data, psd + 20))
                .field("active_power_work", apws & 7)
                .field("active_scale", apws >> 6)
                .field("emerg_power_fail_recover_time", u8(data, psd + 23))
                .field("emerg_power_fail_recover_scale", times & 0xF)
                .field("force_quiesce_vault_time", u8(data, psd + 24))
                .field("force_quiesce_vault_scale", times >> 4)
                .field("emerg_power_fail_vault_time", u8(data, psd + 25))
                .field("emerg_power_fail_vault_scale", u8(data, psd + 27) & 0xF)
                .endObject();
        }
        json.endArray();
    }

    /** A power state descriptor (§5.1.13.2.1 Figure 313) as nvme-cli's normal output lays it out. */
    private static void powerState(final PrintWriter out, final IdentifyController data, final int state)
    {
        final int psd = IdentifyController.PSD + state * IdentifyController.PSD_SIZE;
        final int maxPower = u16(data, psd);
        final int flags = u8(data, psd + 3);
        out.printf("ps   %4d : mp:%s %soperational enlat:%d exlat:%d rrt:%d rrl:%d%n",
            state,
            (flags & MXPS) != 0 ? power(maxPower, 1) : power(maxPower, 2),
            (flags & NOPS) != 0 ? "non-" : "",
            data.unsigned(psd + 4, 4), data.unsigned(psd + 8, 4), u8(data, psd + 12), u8(data, psd + 13));
        out.printf("            rwt:%d rwl:%d idle_power:%s active_power:%s%n",
            u8(data, psd + 14), u8(data, psd + 15),
            power(u16(data, psd + 16), u8(data, psd + 18) >> 6), power(u16(data, psd + 20), u8(data, psd + 22) >> 6));
        out.printf("            active_power_workload:%s%n", workload(u8(data, psd + 22) & 7));
        final int times = u8(data, psd + 26);
        time(out, "emergency power fail recovery time", u8(data, psd + 23), times & 0xF);
        time(out, "forced quiescence vault time", u8(data, psd + 24), times >> 4);
        time(out, "emergency power fail vault time", u8(data, psd + 25), u8(data, psd + 27) & 0xF);
    }

    /** Power in the scale of the descriptor: 0 not reported, 1 units of 0.0001 W, 2 units of 0.01 W. */
    private static String power(final int power, final int scale)
    {
        return switch (scale & 3)
        {
            case 0 -> "-";
            case 1 -> String.format("%d.%04dW", power / 10000, power % 10000);
            case 2 -> String.format("%d.%02dW", power / 100, power % 100);
            default -> "reserved";
        };
    }

    private static String workload(final int workload)
    {
        return switch (workload)
        {
            case 0 -> "-";
            case 1 -> "1MiB 32 RW, 30s idle";
            case 2 -> "80K 128KiB SW";
            default -> "reserved";
        };
    }

    private static final String[] TIME_SCALES = {
        "1 microsecond", "10 microseconds", "100 microseconds", "1 millisecond", "10 milliseconds",
        "100 milliseconds", "1 second", "10 seconds", "100 seconds", "1,000 seconds", "10,000 seconds",
        "100,000 seconds", "1,000,000 seconds"
    };

    private static void time(final PrintWriter out, final String what, final int time, final int scale)
    {
        final String value = time == 0 ? "-" : time <= 99 ?
            time + " (unit: " + (scale < TIME_SCALES.length ? TIME_SCALES[scale] : "Reserved") + ")" : "reserved";
        out.printf("%" + (12 + what.length()) + "s: %s%n", what, value);
    }

    private static int u8(final IdentifyController data, final int offset)
    {
        return data.unsigned8(offset);
    }

    private static int u16(final IdentifyController data, final int offset)
    {
        return data.unsigned16(offset);
    }
}
