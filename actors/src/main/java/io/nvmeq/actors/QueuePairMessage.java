package io.nvmeq.actors;

/**
 * Everything a queue-pair actor's behaviour handles: the public protocol ({@link QueuePairCommand}) and
 * the package's own messages ({@link QueuePairInternal}: polls, restarts, the supervisor's stop and
 * revive). The actor is typed on this wider protocol and handed out narrowed to the public one, so that
 * the public protocol names no internal type (Akka's {@code Behavior.narrow}).
 */
sealed interface QueuePairMessage permits QueuePairCommand, QueuePairInternal
{
}
