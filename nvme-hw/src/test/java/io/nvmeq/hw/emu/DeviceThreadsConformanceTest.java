package io.nvmeq.hw.emu;

import org.junit.jupiter.api.Nested;

/**
 * The conformance suites again, against a controller that runs on threads of its own
 * ({@code device-threads=2}: the admin queue and even I/O queues on one core, odd ones on the other),
 * as hardware works beside the host rather than on the thread that rings the doorbell.
 */
class DeviceThreadsConformanceTest
{
    private static final int THREADS = 2;

    @Nested
    class NvmCommands extends NvmCommandsTest
    {
        @Override
        int deviceThreads()
        {
            return THREADS;
        }
    }

    @Nested
    class Queue extends QueueTest
    {
        @Override
        int deviceThreads()
        {
            return THREADS;
        }
    }

    @Nested
    class ConcurrentQueues extends ConcurrentQueuesTest
    {
        @Override
        int deviceThreads()
        {
            return THREADS;
        }
    }

    @Nested
    class AdminCommands extends AdminCommandsTest
    {
        @Override
        int deviceThreads()
        {
            return THREADS;
        }
    }

    @Nested
    class ControllerRegisters extends ControllerRegistersTest
    {
        @Override
        int deviceThreads()
        {
            return THREADS;
        }
    }

    @Nested
    class FaultInjection extends FaultInjectionTest
    {
        @Override
        int deviceThreads()
        {
            return THREADS;
        }
    }

    @Nested
    class Abort extends AbortTest
    {
        @Override
        int deviceThreads()
        {
            return THREADS;
        }
    }

    @Nested
    class Interrupts extends InterruptsTest
    {
        @Override
        int deviceThreads()
        {
            return THREADS;
        }
    }

    @Nested
    class AsyncEvents extends AsyncEventsTest
    {
        @Override
        int deviceThreads()
        {
            return THREADS;
        }
    }

    @Nested
    class LogPages extends LogPagesTest
    {
        @Override
        int deviceThreads()
        {
            return THREADS;
        }
    }

    @Nested
    class QueueTranslation extends QueueTranslationTest
    {
        @Override
        int deviceThreads()
        {
            return THREADS;
        }
    }
}
