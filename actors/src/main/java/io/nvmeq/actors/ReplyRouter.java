package io.nvmeq.actors;

import java.util.concurrent.CompletableFuture;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;

/**
 * The facade's one reply target: completes the future registered under each reply's tag. One actor
 * for all requests, so no temporary actor is created per request (as an ask would).
 */
final class ReplyRouter
{
    private ReplyRouter()
    {
    }

    static Behavior<IoReply> create(final PendingReplies pending)
    {
        return Behaviors.setup(context -> Behaviors.receive(IoReply.class)
            .onMessage(IoReply.Done.class, done ->
            {
                final CompletableFuture<Void> future = pending.remove(done.tag());
                if (future != null)
                {
                    future.complete(null);
                }
                else
                {
                    context.getLog().warn("request {} completed after close() gave up waiting and answered it \"outcome unknown\"", done.tag());
                }
                return Behaviors.same();
            })
            .onMessage(IoReply.Failed.class, failed ->
            {
                final CompletableFuture<Void> future = pending.remove(failed.tag());
                if (future != null)
                {
                    future.completeExceptionally(failed.error());
                }
                else
                {
                    context.getLog().warn("request {} failed after close() gave up waiting and answered it \"outcome unknown\": {}",
                        failed.tag(), failed.error().getMessage());
                }
                return Behaviors.same();
            })
            .build());
    }
}
