package io.nvmeq.actors.remote;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Key and trust stores made with the JDK's own keytool: one self-signed certificate per name. */
final class TestKeyStores
{
    static final String PASSWORD = "nvmeq-test";

    /** A node's key store and a trust store holding the certificates of {@code trusted} (key stores made here). */
    record Stores(Path keyStore, Path trustStore)
    {
        /** The {@code -D} arguments a server JVM takes them with. */
        List<String> systemProperties()
        {
            return List.of("-Dnvmeq.remote.tls.mode=on",
                "-Dnvmeq.remote.tls.key-store=" + keyStore, "-Dnvmeq.remote.tls.key-store-password=" + PASSWORD,
                "-Dnvmeq.remote.tls.trust-store=" + trustStore, "-Dnvmeq.remote.tls.trust-store-password=" + PASSWORD);
        }

        /** The same as HOCON, for a client in this JVM. */
        String config()
        {
            return "nvmeq.remote.tls { mode = on, key-store = \"" + keyStore + "\", key-store-password = \"" + PASSWORD +
                "\", trust-store = \"" + trustStore + "\", trust-store-password = \"" + PASSWORD + "\" }\n";
        }
    }

    private TestKeyStores()
    {
    }

    /** A new key pair and self-signed certificate named {@code name} in {@code dir}/name.p12. */
    static Path keyStore(final Path dir, final String name) throws IOException, InterruptedException
    {
        final Path store = dir.resolve(name + ".p12");
        keytool("-genkeypair", "-alias", name, "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
            "-dname", "CN=" + name + ",O=nvmeq test", "-keystore", store.toString(), "-storetype", "PKCS12",
            "-storepass", PASSWORD, "-keypass", PASSWORD);
        return store;
    }

    /** A trust store in {@code dir}/name-trust.p12 holding the certificates of {@code keyStores}. */
    static Path trustStore(final Path dir, final String name, final Path... keyStores) throws IOException, InterruptedException
    {
        final Path trust = dir.resolve(name + "-trust.p12");
        for (final Path keyStore : keyStores)
        {
            final String alias = keyStore.getFileName().toString().replace(".p12", "");
            final Path certificate = dir.resolve(alias + ".cer");
            keytool("-exportcert", "-alias", alias, "-keystore", keyStore.toString(), "-storepass", PASSWORD,
                "-file", certificate.toString());
            keytool("-importcert", "-noprompt", "-alias", alias, "-file", certificate.toString(), "-keystore",
                trust.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
        }
        return trust;
    }

    private static void keytool(final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0)
        {
            throw new IOException("keytool " + String.join(" ", args) + " failed: " + output);
        }
    }
}
