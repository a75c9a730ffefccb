package io.nvmeq.examples.log;

import java.util.concurrent.TimeUnit;

import io.nvmeq.actors.Nvmeq;
import io.nvmeq.engine.DmaBuffer;
import io.nvmeq.engine.NamespaceInfo;

/** The minimal program of the README's "Use it from Java" (the README shows this file from its imports on). */
public final class HelloNvmeq
{
    public static void main(final String[] args) throws Exception
    {
        final String device = args.length > 0 ? args[0] : "emu:memory?size=16m";
        try (Nvmeq nvmeq = Nvmeq.open(device);
             DmaBuffer buffer = nvmeq.allocate(4096))
        {
            final NamespaceInfo namespace = nvmeq.namespace(1);
            final int blocks = 4096 / namespace.blockSize();
            buffer.buffer().putStringAscii(0, "hello, NVMe");
            // Namespace, first LBA, blocks, buffer, offset in it, FUA (durable once it completes).
            nvmeq.write(namespace.nsid(), 0, blocks, buffer, 0, true)
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
            buffer.buffer().setMemory(0, 4096, (byte)0);
            nvmeq.read(namespace.nsid(), 0, blocks, buffer, 0)
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
            System.out.println(buffer.buffer().getStringAscii(0));
        }
    }
}
