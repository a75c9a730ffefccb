package io.nvmeq.actors;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Requests of stopped queue pairs whose queue deletion the controller did not confirm: the device may
 * still transfer into their buffers, so they are answered only after the controller is closed. Filled by
 * queue-pair actors as they stop (before their termination is visible to the supervisor, which a message
 * would not guarantee), drained by the supervisor. Thread-safe.
 */
final class DeviceHeldRequests
{
    private final Queue<IoRequest> requests = new ConcurrentLinkedQueue<>();

    void addAll(final List<IoRequest> held)
    {
        requests.addAll(held);
    }

    /** Answers every held request with {@code error}: call only once the device can no longer touch them. */
    void answerAll(final String why)
    {
        IoRequest request;
        while ((request = requests.poll()) != null)
        {
            IoAnswers.tell(request, new ControllerUnavailableException(why));
        }
    }
}
