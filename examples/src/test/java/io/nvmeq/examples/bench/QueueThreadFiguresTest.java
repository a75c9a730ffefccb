package io.nvmeq.examples.bench;

import org.junit.jupiter.api.Test;

import static io.nvmeq.examples.bench.Cli.nvmeq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code jobs[].nvmeq} says how the queue-pair threads waited and what CPU they used over the workload. */
class QueueThreadFiguresTest
{
    @Test
    void aLightRateLimitedLoadReportsTheThreadsSleepsAndItsOwnCpu()
    {
        // 200 reads a second for half a second: the queue-pair thread sleeps between them (adaptive, the default).
        final Cli run = nvmeq("bench", "--name=t", "--filename=emu:memory?size=4m", "--rw=randread", "--bs=4k",
            "--iodepth=1", "--rate_iops=200", "--runtime=500ms", "--time_based", "--client=facade",
            "--output-format=json");
        assertEquals(0, run.exitCode(), run::toString);
        final Object document = Json.parse(run.jsonLine());
        assertEquals("adaptive", Json.at(document, "jobs", 0, "nvmeq", "completion_mode"));
        assertEquals(1.0, Json.number(document, "jobs", 0, "nvmeq", "queue_threads"));
        final double cpu = Json.number(document, "jobs", 0, "nvmeq", "queue_thread_cpu_pct");
        assertTrue(cpu >= 0 && cpu <= 100, "the one thread's CPU as % of a core: " + cpu);
        final double ios = Json.number(document, "jobs", 0, "read", "total_ios");
        final double sleeps = Json.number(document, "jobs", 0, "nvmeq", "sleeps");
        assertTrue(ios > 0 && sleeps >= 1, ios + " reads, " + sleeps + " sleeps");
        assertTrue(Json.number(document, "jobs", 0, "nvmeq", "spurious_wakeups") <= sleeps);
        assertTrue(Json.number(document, "jobs", 0, "nvmeq", "interrupts") <= sleeps);
        assertTrue(Json.number(document, "jobs", 0, "nvmeq", "poll_window_hits") >= 0);
    }
}
