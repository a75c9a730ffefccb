package io.nvmeq.actors;

import java.nio.ByteBuffer;
import java.util.Objects;

import akka.actor.typed.ActorRef;
import io.nvmeq.engine.NvmeException;
import io.nvmeq.engine.RegisteredBuffer;

/** What the {@link IovaMapper} accepts, with its replies. */
public sealed interface IovaCommand permits IovaCommand.RegisterBuffer, IovaCommand.UnregisterBuffer,
    IovaCommand.GetIovaStats, IovaMapper.Internal
{
    /**
     * Maps a direct buffer's memory (position to limit) for the device at a fixed IOVA, so that I/O
     * from and into it is zero-copy. The caller keeps the memory alive until it unregisters.
     */
    record RegisterBuffer(ByteBuffer buffer, ActorRef<Registration> replyTo) implements IovaCommand
    {
        public RegisterBuffer
        {
            Objects.requireNonNull(buffer, "buffer");
            Objects.requireNonNull(replyTo, "replyTo");
        }
    }

    /** The one answer to a {@link RegisterBuffer}. */
    sealed interface Registration permits Registered, RegistrationFailed
    {
    }

    record Registered(RegisteredBuffer registration) implements Registration
    {
    }

    /** InvalidRequestException (not direct, empty, overlapping) or IovaExhaustedException. */
    record RegistrationFailed(NvmeException error) implements Registration
    {
    }

    /** Unmaps a registration; call it after the last I/O on the buffer was answered. */
    record UnregisterBuffer(RegisteredBuffer registration, ActorRef<Unregistered> replyTo) implements IovaCommand
    {
        public UnregisterBuffer
        {
            Objects.requireNonNull(registration, "registration");
            Objects.requireNonNull(replyTo, "replyTo");
        }
    }

    record Unregistered(RegisteredBuffer registration)
    {
    }

    record GetIovaStats(ActorRef<IovaStats> replyTo) implements IovaCommand
    {
        public GetIovaStats
        {
            Objects.requireNonNull(replyTo, "replyTo");
        }
    }

    /**
     * @param epochResets        temporary-region epochs reset (one bulk unmap each)
     * @param refusals           temporary mappings refused because the queue pair had no lease with room
     *                           (bounced instead)
     * @param resetsByThisActor  of those, the resets this actor ran (all of them, unless a fixed allocation
     *                           needed the room at once and reset an idle epoch itself)
     * @param registrations      buffers registered now through this actor
     */
    record IovaStats(long epochResets, long refusals, long resetsByThisActor, int registrations)
    {
    }
}
