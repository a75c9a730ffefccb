package io.nvmeq.examples.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** {@code nvmeq serve} in a child JVM: the URIs it prints, and SIGTERM (or SIGKILL) to stop it. */
public final class ServeProcess implements AutoCloseable
{
    private final Process process;
    private final CompletableFuture<String> firstUri = new CompletableFuture<>();

    private ServeProcess(final Process process)
    {
        this.process = process;
        final Thread reader = new Thread(this::drain, "serve-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    public static ServeProcess start(final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Djnr.ffi.x86asm.enabled=false");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-Xmx256m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(NvmeqCli.class.getName());
        command.add("serve");
        command.addAll(List.of(args));
        return new ServeProcess(new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start());
    }

    public static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0))
        {
            return socket.getLocalPort();
        }
    }

    /** The first remote:// URI the server printed. */
    public String uri() throws Exception
    {
        return firstUri.get(90, TimeUnit.SECONDS);
    }

    long pid()
    {
        return process.pid();
    }

    private void drain()
    {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while ((line = in.readLine()) != null)
            {
                if (line.startsWith("remote://"))
                {
                    firstUri.complete(line.trim());
                }
            }
        }
        catch (final IOException ex)
        {
            // the server is gone
        }
        firstUri.completeExceptionally(new IllegalStateException("nvmeq serve exited without serving"));
    }

    /** SIGTERM: the server closes its device and leaves the cluster. */
    @Override
    public void close() throws InterruptedException
    {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
