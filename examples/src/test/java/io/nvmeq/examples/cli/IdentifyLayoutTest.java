package io.nvmeq.examples.cli;

import static io.nvmeq.examples.cli.CliRun.nvmeq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.nvmeq.examples.bench.Json;

/**
 * Identify as nvme-cli prints it: every id-ctrl field in nvme-cli's names, order and formats ({@code ver} as
 * {@code 0x10400}, not 1.4.0), id-ns with its LBA format lines, the same fields in nvme-cli's JSON, and the
 * driver's own state apart.
 */
class IdentifyLayoutTest
{
    private static final String DEVICE = "emu:memory?size=1m&bs=4096&serial=LAYOUT7&model=Layout%20Model";

    @Test
    void idCtrlShowsEveryFieldInNvmeCliOrderAndFormat()
    {
        final CliRun run = nvmeq("identify", DEVICE);
        assertEquals(0, run.exitCode(), run::toString);
        final List<String> lines = run.out().lines().toList();
        assertEquals("NVME Identify Controller:", lines.get(0));
        final List<String> names = new ArrayList<>();
        for (int i = 1; i <= IdControllerReport.FIELDS.size(); i++)
        {
            final String line = lines.get(i);
            assertEquals(": ", line.substring(10, 12), line);
            names.add(line.substring(0, 10).strip());
        }
        assertEquals(IdControllerReport.FIELDS.stream().map(IdField::name).toList(), names);
        assertTrue(names.size() > 80, "nvme-cli shows more than 80 fields: " + names.size());
        assertTrue(lines.contains("ver       : 0x10400"), run::toString);
        assertTrue(lines.contains("sn        : LAYOUT7             "), "sn keeps its padding, as nvme-cli prints it");
        assertTrue(lines.contains("cntrltype : 1"), run::toString);
        assertTrue(lines.contains("wctemp    : 343"), run::toString);
        assertTrue(lines.contains("sqes      : 0x66"), run::toString);
        assertTrue(lines.contains("nn        : 1"), run::toString);
        assertTrue(lines.contains("subnqn    : nqn.2024-01.io.nvmeq:emu:LAYOUT7"), run::toString);
        assertTrue(lines.contains("ps      0 : mp:0.00W operational enlat:0 exlat:0 rrt:0 rrl:0"), run::toString);
    }

    @Test
    void idNsShowsItsFieldsAndTheLbaFormatInUse()
    {
        final CliRun run = nvmeq("id-ns", DEVICE);
        assertEquals(0, run.exitCode(), run::toString);
        final List<String> lines = run.out().lines().toList();
        assertEquals(List.of("NVME Identify Namespace 1:", "nsze    : 0x100", "ncap    : 0x100", "nuse    : 0x100",
            "nsfeat  : 0", "nlbaf   : 0", "flbas   : 0"), lines.subList(0, 7));
        assertTrue(lines.contains("dlfeat  : 9"), run::toString);
        assertTrue(lines.contains("nsattr\t: 0"), "nvme-cli's own tab after nsattr");
        assertTrue(lines.contains("nguid   : 00000000000000000000000000000000"), run::toString);
        assertEquals("lbaf  0 : ms:0   lbads:12 rp:0 (in use)", lines.get(lines.size() - 1));
    }

    @Test
    void theDriversStateIsASectionOfItsOwnAfterNvmeCliBlocks()
    {
        final String out = nvmeq("identify", DEVICE).out();
        final int controller = out.indexOf("NVME Identify Controller:");
        final int namespace = out.indexOf("NVME Identify Namespace 1:");
        final int driver = out.indexOf("nvmeq driver state:");
        assertTrue(controller == 0 && namespace > controller && driver > namespace, out);
        assertTrue(out.substring(driver).contains("NVMe version (VS)       : 1.4.0"), out);
        assertTrue(out.substring(driver).contains("I/O queue pairs granted : "), out);
    }

    @Test
    void idCtrlJsonIsNvmeCliObjectWithTheSameFieldsAsNumbersAndStrings()
    {
        final CliRun run = nvmeq("id-ctrl", DEVICE, "-o", "json");
        assertEquals(0, run.exitCode(), run::toString);
        @SuppressWarnings("unchecked")
        final Map<String, Object> json = (Map<String, Object>)Json.parse(run.out().trim());
        final List<String> expected = new ArrayList<>(IdControllerReport.FIELDS.stream().map(IdField::name).toList());
        expected.add("psds");
        assertEquals(expected, new ArrayList<>(json.keySet()), "nvme-cli's keys in nvme-cli's order");
        assertEquals(66560L, ((Number)json.get("ver")).longValue(), "0x10400 as a number");
        assertEquals("Layout Model                            ", json.get("mn"));
        assertEquals(0x4e51L, ((Number)json.get("vid")).longValue());
        assertEquals(0L, ((Number)Json.at(json, "psds", 0, "max_power")).longValue());
    }

    @Test
    void idNsJsonHasTheLbaFormatsAsNvmeCliWritesThem()
    {
        final CliRun run = nvmeq("id-ns", DEVICE, "-o", "json");
        assertEquals(0, run.exitCode(), run::toString);
        final Object json = Json.parse(run.out().trim());
        assertEquals(256L, ((Number)Json.at(json, "nsze")).longValue());
        assertEquals(12L, ((Number)Json.at(json, "lbafs", 0, "ds")).longValue());
        assertEquals(1L, ((Number)Json.at(json, "lbafs", 0, "in_use")).longValue());
        assertEquals("00000000000000000000000000000000", Json.at(json, "nguid"));
    }
}
