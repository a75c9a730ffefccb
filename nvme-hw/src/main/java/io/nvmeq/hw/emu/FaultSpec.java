package io.nvmeq.hw.emu;

/**
 * A fault armed on an emulated controller when it is created (from {@link EmulatorConfig#faults()},
 * i.e. from the {@code faults=} key of an {@code emu:} URI). Each one is a call on the controller's
 * {@link FaultInjector}; tests can make the same calls at any time through
 * {@link EmulatedController#faults()}.
 */
public sealed interface FaultSpec
{
    void applyTo(FaultInjector injector);

    /** Each I/O command fails with {@code status} with probability {@code rate}; see {@link FaultInjector#failRandomly}. */
    record RandomErrors(double rate, int status, long seed) implements FaultSpec
    {
        @Override
        public void applyTo(final FaultInjector injector)
        {
            injector.failRandomly(rate, status, seed);
        }
    }

    /** The next {@code count} I/O commands fail with {@code status}; see {@link FaultInjector#failNext}. */
    record FailNext(int count, int status) implements FaultSpec
    {
        @Override
        public void applyTo(final FaultInjector injector)
        {
            injector.failNext(FaultInjector.ANY_OPCODE, status, count);
        }
    }

    /** Admin commands with {@code opcode} fail with {@code status}, {@code count} times; see {@link FaultInjector#failAdmin}. */
    record FailAdmin(int opcode, int status, int count) implements FaultSpec
    {
        @Override
        public void applyTo(final FaultInjector injector)
        {
            injector.failAdmin(opcode, status, count);
        }
    }

    /** The completions of the next {@code count} I/O commands are never posted. */
    record DropCompletions(int count) implements FaultSpec
    {
        @Override
        public void applyTo(final FaultInjector injector)
        {
            injector.dropNextCompletions(count);
        }
    }

    /** The completions of the next {@code count} I/O commands are posted {@code nanos} late. */
    record DelayCompletions(int count, long nanos) implements FaultSpec
    {
        @Override
        public void applyTo(final FaultInjector injector)
        {
            injector.delayNextCompletions(count, nanos);
        }
    }

    /** The next {@code count} command data transfers hit an IOMMU fault (Data Transfer Error). */
    record IommuFaults(int count) implements FaultSpec
    {
        @Override
        public void applyTo(final FaultInjector injector)
        {
            injector.iommuFaultNext(count);
        }
    }

    /** The controller fails (CSTS.CFS) when it fetches I/O command number {@code commands} + 1. */
    record FatalAfter(long commands) implements FaultSpec
    {
        @Override
        public void applyTo(final FaultInjector injector)
        {
            injector.fatalAfter(commands);
        }
    }

    /** The device disappears (registers read all-ones) when it fetches I/O command number {@code commands} + 1. */
    record RemovalAfter(long commands) implements FaultSpec
    {
        @Override
        public void applyTo(final FaultInjector injector)
        {
            injector.surpriseRemovalAfter(commands);
        }
    }
}
