package io.nvmeq.actors.remote;

import akka.actor.DeadLetter;
import akka.actor.Dropped;
import akka.actor.typed.Behavior;
import akka.actor.typed.eventstream.EventStream;
import akka.actor.typed.javadsl.Behaviors;
import io.nvmeq.actors.remote.RemoteProtocol.Answer;
import io.nvmeq.actors.remote.RemoteProtocol.Answers;
import io.nvmeq.actors.remote.RemoteProtocol.ReadData;
import io.nvmeq.actors.remote.RemoteProtocol.Request;
import io.nvmeq.actors.remote.RemoteProtocol.Requests;
import io.nvmeq.actors.remote.RemoteProtocol.WriteBlocks;

/**
 * Gives back the {@link DmaBlockPool} leases of messages that were never delivered: a read's answer that
 * Artery dropped before serializing it (the client gone, its queue full) or a write that reached a session
 * which had stopped. Without it each such message would keep its pages until the node restarts.
 */
final class LeaseReclaimer
{
    private LeaseReclaimer()
    {
    }

    static Behavior<Object> create()
    {
        return Behaviors.setup(context ->
        {
            context.getSystem().eventStream().tell(new EventStream.Subscribe<>(DeadLetter.class, context.getSelf().narrow()));
            context.getSystem().eventStream().tell(new EventStream.Subscribe<>(Dropped.class, context.getSelf().narrow()));
            return Behaviors.receiveMessage(event ->
            {
                if (event instanceof DeadLetter dead)
                {
                    release(dead.message());
                }
                else if (event instanceof Dropped dropped)
                {
                    release(dropped.message());
                }
                return Behaviors.same();
            });
        });
    }

    static void release(final Object message)
    {
        if (message instanceof Answers answers)
        {
            for (final Answer answer : answers.answers())
            {
                release(answer);
            }
        }
        else if (message instanceof Requests requests)
        {
            for (final Request request : requests.requests())
            {
                release(request);
            }
        }
        else if (message instanceof ReadData read && read.data() instanceof DmaBlockPool.Lease lease)
        {
            lease.release();
        }
        else if (message instanceof WriteBlocks write && write.data() instanceof DmaBlockPool.Lease lease)
        {
            lease.release();
        }
    }
}
