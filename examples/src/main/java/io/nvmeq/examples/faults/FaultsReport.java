package io.nvmeq.examples.faults;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.nvmeq.examples.cli.JsonWriter;

/** A {@link FaultsResult} as a fio-like text summary, or as one line of JSON; both from the same numbers. */
final class FaultsReport
{
    private FaultsReport()
    {
    }

    static void text(final FaultsResult result, final PrintWriter out)
    {
        final DrillSpec spec = result.spec();
        out.printf(Locale.ROOT, "faults: (g=0): queue-pairs=%d, iodepth=%d, bs=%dB, rwmixread=%d, size=%d blocks, " +
            "kill-interval=%s%n", spec.queues(), spec.iodepth(), result.lbaSize(), spec.rwmixread(), result.blocks(),
            spec.killIntervalNs() == 0 ? "none" : TimeUnit.NANOSECONDS.toMillis(spec.killIntervalNs()) + "ms");
        out.printf("  device: %s%n", result.device());
        out.printf(Locale.ROOT, "faults: (groupid=0, jobs=%d): err=%2d: runtime=%dms, elapsed=%dms " +
            "(lay out + run + drain + read back)%n", spec.queues(), result.exitStatus(),
            TimeUnit.NANOSECONDS.toMillis(spec.runtimeNs()), TimeUnit.NANOSECONDS.toMillis(result.elapsedNs()));
        out.printf("  %-5s %12s %12s %10s %10s %7s %8s %10s %9s %10s%n", "queue", "sent", "ok", "errors",
            "unanswered", "kills", "restarts", "reads chk", "corrupt", "read back");
        for (final ClientResult client : result.clients())
        {
            out.printf("  %-5d %12d %12d %10d %10d %7d %8d %10d %9d %10d%n", client.queue(), client.sent(),
                client.ok(), client.failed(), client.unanswered(), result.kills().get(client.queue()),
                result.restarts().get(client.queue()), client.readsChecked(),
                client.corruptReads() + client.corruptBlocks(), client.finalChecked());
        }
        out.printf("  %-5s %12d %12d %10d %10d %7d %8d %10d %9d %10d%n", "all", result.sent(), result.ok(),
            result.failed(), result.unanswered(), result.killsSent(), result.restartsObserved(),
            result.clients().stream().mapToLong(ClientResult::readsChecked).sum(),
            result.corruptReads() + result.corruptBlocks(),
            result.clients().stream().mapToLong(ClientResult::finalChecked).sum());
        out.printf(Locale.ROOT, "  requests     : sent=%d, answered ok=%d, answered with error=%d, unanswered=%d, " +
            "answered twice=%d%n", result.sent(), result.ok(), result.failed(), result.unanswered(),
            result.doubleAnswers());
        out.printf("  kills        : sent=%d, restarts observed=%d, queue pairs serving after=%d, failed=%d%n",
            result.killsSent(), result.restartsObserved(), result.servingAfter(), result.failedAfter());
        final Map<String, Long> errors = result.errors();
        if (errors.isEmpty())
        {
            out.println("  errors       : none");
        }
        else
        {
            out.println("  errors       :");
            errors.forEach((kind, count) -> out.printf("     %-52s %d%n", kind, count));
        }
        out.printf("  verify       : one block per I/O, offset + write sequence + crc32c; corrupt reads during the " +
            "run=%d, read back %d of %d blocks: corrupt=%d, unreadable=%d, never laid out=%d%n", result.corruptReads(),
            result.clients().stream().mapToLong(ClientResult::finalChecked).sum(), result.blocks(),
            result.corruptBlocks(), result.unverified(), result.layoutFailed());
        for (final String corruption : result.corruptions())
        {
            out.printf("     %s%n", corruption);
        }
        for (final String problem : result.problems())
        {
            out.printf("  problem      : %s%n", problem);
        }
        final String verdict = result.verdict();
        out.printf("  result       : %s%n", verdict == null ? "PASS (nothing lost, nothing answered twice, nothing " +
            "corrupt)" : "FAIL: " + verdict);
        out.flush();
    }

    static String json(final FaultsResult result)
    {
        final DrillSpec spec = result.spec();
        final JsonWriter json = new JsonWriter().beginObject()
            .field("device", result.device())
            .name("options").beginObject()
            .field("queue_pairs", spec.queues())
            .field("iodepth", spec.iodepth())
            .field("bs", result.lbaSize())
            .field("blocks", result.blocks())
            .field("rwmixread", spec.rwmixread())
            .field("runtime_ms", TimeUnit.NANOSECONDS.toMillis(spec.runtimeNs()))
            .field("kill_interval_ms", TimeUnit.NANOSECONDS.toMillis(spec.killIntervalNs()))
            .field("seed", spec.seed())
            .endObject()
            .field("elapsed_ms", TimeUnit.NANOSECONDS.toMillis(result.elapsedNs()))
            .field("sent", result.sent())
            .field("ok", result.ok())
            .field("failed", result.failed())
            .field("unanswered", result.unanswered())
            .field("double_answers", result.doubleAnswers())
            .field("kills", result.killsSent())
            .field("restarts", result.restartsObserved())
            .field("queue_pairs_serving", result.servingAfter())
            .field("queue_pairs_failed", result.failedAfter())
            .name("errors").beginObject();
        result.errors().forEach((kind, count) -> json.field(kind, count.longValue()));
        json.endObject()
            .field("corrupt_reads", result.corruptReads())
            .field("corrupt_blocks", result.corruptBlocks())
            .field("unverified_blocks", result.unverified())
            .field("layout_failed_blocks", result.layoutFailed())
            .name("queues").beginArray();
        for (final ClientResult client : result.clients())
        {
            json.beginObject()
                .field("queue", client.queue())
                .field("blocks", client.blocks())
                .field("sent", client.sent())
                .field("ok", client.ok())
                .field("failed", client.failed())
                .field("unanswered", client.unanswered())
                .field("kills", result.kills().get(client.queue()))
                .field("restarts", result.restarts().get(client.queue()))
                .field("writes_acked", client.writesAcked())
                .field("reads_checked", client.readsChecked())
                .field("corrupt_reads", client.corruptReads())
                .field("read_back", client.finalChecked())
                .field("corrupt_blocks", client.corruptBlocks())
                .field("unverified_blocks", client.unverified())
                .endObject();
        }
        json.endArray();
        strings(json, "corruptions", result.corruptions());
        strings(json, "problems", result.problems());
        return json.field("exit_status", result.exitStatus())
            .field("passed", result.exitStatus() == 0)
            .endObject()
            .toString();
    }

    private static void strings(final JsonWriter json, final String name, final List<String> values)
    {
        json.name(name).beginArray();
        for (final String value : values)
        {
            json.value(value);
        }
        json.endArray();
    }
}
