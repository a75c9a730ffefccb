package io.nvmeq.examples.faults;

import java.util.List;
import java.util.Map;

/**
 * What one client saw, all phases together (laying out, the workload, the read-back).
 *
 * @param queue         its queue pair
 * @param blocks        blocks of its share
 * @param sent          requests sent
 * @param ok            requests answered with success
 * @param errors        requests answered with a typed error, by {@link ErrorKinds kind}
 * @param unanswered    requests without an answer when the client was told to give up waiting
 * @param layoutFailed  blocks whose initial write failed every attempt (their content is unknown)
 * @param writesAcked   writes acknowledged during the workload
 * @param readsChecked  reads during the workload whose data was checked
 * @param corruptReads  of those, reads that found content the block may not hold
 * @param finalChecked  blocks the read-back checked
 * @param corruptBlocks of those, blocks holding content they may not hold
 * @param unverified    blocks the read-back could not read (every attempt failed, or the client gave up)
 * @param corruptions   the first few corruption reports, each naming the block
 */
record ClientResult(int queue, int blocks, long sent, long ok, Map<String, Long> errors, long unanswered,
    long layoutFailed, long writesAcked, long readsChecked, long corruptReads, long finalChecked, long corruptBlocks,
    long unverified, List<String> corruptions)
{
    ClientResult
    {
        errors = Map.copyOf(errors);
        corruptions = List.copyOf(corruptions);
    }

    long failed()
    {
        long failed = 0;
        for (final long count : errors.values())
        {
            failed += count;
        }
        return failed;
    }
}
