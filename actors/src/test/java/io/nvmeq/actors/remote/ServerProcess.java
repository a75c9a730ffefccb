package io.nvmeq.actors.remote;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A {@link ServeMain} child JVM: started, waited for, killed, frozen and thawed by its pid. */
final class ServerProcess implements AutoCloseable
{
    private final Process process;
    private final CompletableFuture<String> serving = new CompletableFuture<>();

    private ServerProcess(final Process process, final Path log)
    {
        this.process = process;
        final Thread reader = new Thread(() -> drain(log), "server-" + process.pid() + "-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * @param systemProperties {@code -Dkey=value} arguments (TLS stores and the like)
     */
    static ServerProcess start(final String device, final int port, final String seeds, final boolean readOnly,
        final List<String> systemProperties, final Path log) throws IOException
    {
        return start(systemProperties, log, ServeMain.class.getName(), device, "127.0.0.1:" + port,
            seeds == null || seeds.isEmpty() ? "-" : seeds, readOnly ? "ro" : "rw");
    }

    /** A {@link ClientMain} JVM on {@code uri}; {@link #awaitServing} then waits for it to be connected. */
    static ServerProcess client(final String uri, final List<String> systemProperties, final Path log) throws IOException
    {
        return start(systemProperties, log, ClientMain.class.getName(), uri);
    }

    private static ServerProcess start(final List<String> systemProperties, final Path log, final String main,
        final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Djnr.ffi.x86asm.enabled=false");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-Xmx256m");
        command.addAll(systemProperties);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main);
        command.addAll(List.of(args));
        Files.createDirectories(log.getParent());
        return new ServerProcess(new ProcessBuilder(command).redirectErrorStream(true).start(), log);
    }

    static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0))
        {
            return socket.getLocalPort();
        }
    }

    /** Waits for the {@code SERVING} (or a client's {@code CONNECTED}) line: the node's cluster address. */
    String awaitServing(final long seconds) throws Exception
    {
        return serving.get(seconds, TimeUnit.SECONDS);
    }

    long pid()
    {
        return process.pid();
    }

    boolean isAlive()
    {
        return process.isAlive();
    }

    void kill9() throws Exception
    {
        signal("KILL");
        process.waitFor(20, TimeUnit.SECONDS);
    }

    void stop() throws Exception
    {
        signal("STOP");
    }

    void cont() throws Exception
    {
        signal("CONT");
    }

    private void signal(final String name) throws Exception
    {
        final Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0)
        {
            throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    private void drain(final Path log)
    {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true))
        {
            String line;
            while ((line = in.readLine()) != null)
            {
                out.println(line);
                if (line.startsWith("SERVING ") || line.startsWith("CONNECTED "))
                {
                    serving.complete(line.substring(line.indexOf(' ') + 1));
                }
            }
        }
        catch (final IOException ex)
        {
            // the child is gone
        }
        serving.completeExceptionally(new IllegalStateException("the server exited before serving; see " + log));
    }

    @Override
    public void close() throws Exception
    {
        if (process.isAlive())
        {
            signal("CONT");
            process.getOutputStream().close();
            if (!process.waitFor(15, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                process.waitFor(15, TimeUnit.SECONDS);
            }
        }
    }
}
