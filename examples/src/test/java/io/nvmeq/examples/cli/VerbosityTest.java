package io.nvmeq.examples.cli;

import static io.nvmeq.examples.cli.CliRun.nvmeq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/** Warnings only by default, errors only with -q, nvmeq's progress with -v; hugepage advice never for emu:. */
class VerbosityTest
{
    private final Logger nvmeqLogger = (Logger)LoggerFactory.getLogger("io.nvmeq");
    private final ListAppender<ILoggingEvent> events = new ListAppender<>();

    @BeforeEach
    void capture()
    {
        events.start();
        nvmeqLogger.addAppender(events);
    }

    @AfterEach
    void release()
    {
        nvmeqLogger.detachAppender(events);
        nvmeq("-q", "identify", "emu:memory"); // leave the default levels for the next test
    }

    private List<ILoggingEvent> below(final Level level)
    {
        return events.list.stream().filter(e -> !e.getLevel().isGreaterOrEqual(level)).toList();
    }

    @Test
    void byDefaultACommandLogsNothingBelowWarnings()
    {
        final CliRun run = nvmeq("identify", "emu:memory");
        assertEquals(0, run.exitCode(), run::toString);
        assertEquals(List.of(), below(Level.WARN));
    }

    @Test
    void verboseShowsWhatNvmeqDoesButNoHugepageAdviceForTheEmulator()
    {
        final CliRun run = nvmeq("-v", "identify", "emu:memory");
        assertEquals(0, run.exitCode(), run::toString);
        assertTrue(events.list.stream().anyMatch(e -> e.getLevel() == Level.INFO &&
            e.getFormattedMessage().contains("up on emu:memory")), events.list::toString);
        assertTrue(events.list.stream().noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.INFO) &&
            e.getFormattedMessage().contains("hugepages")), events.list::toString);
    }

    @Test
    void aFailedBringUpIsReportedOnceByTheCommandNotLoggedAsAnErrorWithAStackTrace()
    {
        final CliRun run = nvmeq("identify", "nvme://0000:ff:1f.7/1");
        assertEquals(ExitCodes.FAILED, run.exitCode(), run::toString);
        assertTrue(run.err().startsWith("nvmeq: cannot open device"), run::toString);
        assertEquals(List.of(), events.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.ERROR)).toList());
    }

    @Test
    void verboseWorksAfterTheCommandNameTooAndQuietSilencesWarnings()
    {
        assertEquals(0, nvmeq("identify", "-v", "emu:memory").exitCode());
        assertTrue(events.list.stream().anyMatch(e -> e.getLevel() == Level.INFO), events.list::toString);
        events.list.clear();
        assertEquals(0, nvmeq("-q", "identify", "emu:memory").exitCode());
        assertEquals(List.of(), below(Level.ERROR));
    }
}
