package io.nvmeq.actors.remote;

import java.nio.ByteBuffer;

import akka.cluster.typed.Cluster;

/**
 * A client JVM for the multi-JVM tests: opens the {@code remote://} URI of its argument, prints
 * {@code CONNECTED <its cluster address>} and reads in a loop until killed (or its standard input closes).
 */
public final class ClientMain
{
    private ClientMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final RemoteNvmeq remote = RemoteNvmeq.open(args[0]);
        System.out.println("CONNECTED " + Cluster.get(remote.system()).selfMember().address());
        System.out.flush();
        final ByteBuffer buffer = ByteBuffer.allocate(4096);
        while (System.in.available() >= 0)
        {
            buffer.clear();
            remote.read(remote.uri().nsid(), 0, 8, buffer).toCompletableFuture().exceptionally(error -> null).join();
            Thread.sleep(10);
        }
    }
}
