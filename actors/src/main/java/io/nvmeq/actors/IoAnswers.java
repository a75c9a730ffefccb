package io.nvmeq.actors;

import io.nvmeq.engine.InvalidRequestException;
import io.nvmeq.engine.NvmeException;
import io.nvmeq.hw.spec.Opcodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The answers to {@link IoRequest}s, in one place for every kind of request: a new {@link IoReply.Done} or
 * {@link IoReply.Failed} for the request records, the operation itself for an {@link IoOperation}.
 */
final class IoAnswers
{
    private static final Logger LOG = LoggerFactory.getLogger(QueuePairActor.class);

    private IoAnswers()
    {
    }

    /** Tells {@code request}'s reply target its one answer: done if {@code error} is null. */
    static void tell(final IoRequest request, final NvmeException error)
    {
        if (request instanceof IoOperation operation)
        {
            operation.complete(error);
            operation.replyTo().tell(operation);
        }
        else
        {
            request.replyTo().tell(error == null ? new IoReply.Done(request.tag()) : new IoReply.Failed(request.tag(), error));
        }
    }

    /**
     * Takes an operation told to queue pair {@code queueId}: true if it was prepared (the queue pair holds it
     * now). One told without being prepared is answered with an {@link InvalidRequestException}; one the
     * queue pair already holds (told twice) is logged and dropped, since answering it would overwrite the
     * outcome of the first.
     */
    static boolean take(final IoOperation operation, final int queueId, final QueuePairCounters counters)
    {
        final int was = operation.accept();
        if (was == IoOperation.PREPARED)
        {
            return true;
        }
        if (was == IoOperation.FREE)
        {
            counters.onAnswered(true);
            tell(operation, new InvalidRequestException("operation " + operation.tag() + " was told to queue pair " +
                queueId + " without being prepared (read, write or flush) since its last answer"));
        }
        else
        {
            LOG.error("queue pair {}: {} was told again while the queue pair holds it; the duplicate is dropped " +
                "(the operation is answered once)", queueId, operation);
        }
        return false;
    }

    /** Answers {@code request} with {@code error}, or, if it heads a chain of operations, each of them (taken first). */
    static void refuseAll(final IoRequest request, final NvmeException error, final QueuePairState state)
    {
        if (!(request instanceof IoOperation first))
        {
            state.answer(request, error);
            return;
        }
        IoOperation next = first;
        while (next != null)
        {
            final IoOperation operation = next;
            next = operation.takeNextRequest();
            if (take(operation, state.queueId, state.counters))
            {
                state.answer(operation, error);
            }
        }
    }

    /** The NVMe opcode of {@code request}, for the typed error of a failed command. */
    static int opcodeOf(final IoRequest request)
    {
        if (request instanceof IoOperation operation)
        {
            return switch (operation.kind())
            {
                case READ -> Opcodes.NVM_READ;
                case WRITE -> Opcodes.NVM_WRITE;
                case FLUSH -> Opcodes.NVM_FLUSH;
            };
        }
        if (request instanceof IoRequest.Read || request instanceof IoRequest.ReadBuffer)
        {
            return Opcodes.NVM_READ;
        }
        if (request instanceof IoRequest.Write || request instanceof IoRequest.WriteBuffer)
        {
            return Opcodes.NVM_WRITE;
        }
        if (request instanceof IoRequest.WriteZeroes)
        {
            return Opcodes.NVM_WRITE_ZEROES;
        }
        return request instanceof IoRequest.Flush ? Opcodes.NVM_FLUSH : Opcodes.NVM_DATASET_MANAGEMENT;
    }
}
