package io.nvmeq.actors.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

import com.typesafe.config.ConfigFactory;
import io.nvmeq.engine.InvalidRequestException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Artery over TLS with mutual authentication: a client holding the cluster's certificate reads and writes;
 * one with a certificate of its own, or one without TLS, cannot join and so can neither read nor write.
 */
class RemoteTlsTest
{
    private static final Path LOGS = Path.of("target", "remote-logs");

    @Test
    void onlyAPeerWithTheClustersCertificateGetsIn(@TempDir final Path dir) throws Exception
    {
        final Path cluster = TestKeyStores.keyStore(dir, "cluster");
        final Path stranger = TestKeyStores.keyStore(dir, "stranger");
        final TestKeyStores.Stores members = new TestKeyStores.Stores(cluster, TestKeyStores.trustStore(dir, "members", cluster));
        // The stranger trusts the server (it would accept it), but the server does not trust the stranger.
        final TestKeyStores.Stores outsider = new TestKeyStores.Stores(stranger,
            TestKeyStores.trustStore(dir, "outsider", cluster, stranger));
        final int port = ServerProcess.freePort();
        try (ServerProcess server = ServerProcess.start("emu:memory?size=8m&serial=TLS1", port, "", false,
            members.systemProperties(), LOGS.resolve("tls.log")))
        {
            server.awaitServing(60);
            final String uri = "remote://127.0.0.1:" + port + "/TLS1/1";
            try (RemoteNvmeq remote = RemoteNvmeq.open(uri, RemoteNamespaceTest.clientConfig(members.config())))
            {
                assertTrue(remote.options().tls());
                final byte[] data = new byte[4096];
                data[7] = 42;
                RemoteNamespaceTest.join(remote.write(1, 8, 8, ByteBuffer.wrap(data), true));
                final ByteBuffer back = ByteBuffer.allocate(4096);
                RemoteNamespaceTest.join(remote.read(1, 8, 8, back));
                assertArrayEquals(data, back.array());
            }
            final String shortWait = "nvmeq.remote.connect-timeout = 8s\n";
            assertThrows(RemoteUnavailableException.class, () -> RemoteNvmeq.open(uri,
                RemoteNamespaceTest.clientConfig(shortWait + outsider.config())), "a certificate the cluster does not trust");
            assertThrows(RemoteUnavailableException.class, () -> RemoteNvmeq.open(uri,
                RemoteNamespaceTest.clientConfig(shortWait + "nvmeq.remote.tls.mode = off\n")), "no TLS at all");
        }
    }

    @Test
    void tlsIsOnForEveryNonLoopbackBindAndCannotBeSwitchedOffThere()
    {
        assertTrue(RemoteOptions.tlsOn("auto", "10.1.2.3", true));
        assertFalse(RemoteOptions.tlsOn("auto", "127.0.0.1", false));
        assertTrue(RemoteOptions.tlsOn("auto", "127.0.0.1", true));
        assertThrows(InvalidRequestException.class, () -> RemoteOptions.tlsOn("off", "10.1.2.3", false));
        final InvalidRequestException noStores = assertThrows(InvalidRequestException.class, () ->
            RemoteOptions.fromConfig(ConfigFactory.parseString("nvmeq.remote.bind = \"10.1.2.3:25520\"")
                .withFallback(ConfigFactory.load())));
        assertTrue(noStores.getMessage().contains("key-store"), noStores.getMessage());
        assertThrows(InvalidRequestException.class, () -> RemoteOptions.fromConfig(
            ConfigFactory.parseString("nvmeq.remote.tls.mode = sometimes").withFallback(ConfigFactory.load())));
        assertTrue(List.of("127.0.0.1", "localhost", "::1").stream().allMatch(RemoteOptions::isLoopback));
    }
}
