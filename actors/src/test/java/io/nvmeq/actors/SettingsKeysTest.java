package io.nvmeq.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SettingsKeysTest
{
    private static Config withReference(final String hocon)
    {
        return ConfigFactory.parseString(hocon).withFallback(ConfigFactory.defaultReference()).resolve();
    }

    @Test
    void aMisspeltTopLevelKeyIsRefusedWithTheNearestValidKey()
    {
        final UnknownSettingException error = assertThrows(UnknownSettingException.class,
            () -> NvmeqSettings.fromConfig(withReference("nvmeq.queue-pair = 2")));
        assertEquals("nvmeq.queue-pair", error.key());
        assertEquals("nvmeq.queue-pairs", error.nearest());
        assertTrue(error.getMessage().contains("did you mean nvmeq.queue-pairs?"), error.getMessage());
    }

    @Test
    void aMisspeltNestedKeyIsRefused()
    {
        final UnknownSettingException error = assertThrows(UnknownSettingException.class,
            () -> NvmeqSettings.fromConfig(withReference("nvmeq.recovery.max-retry = 1")));
        assertEquals("nvmeq.recovery.max-retries", error.nearest());
    }

    @Test
    void theRightNameInTheWrongBlockPointsToItsBlock()
    {
        final UnknownSettingException error = assertThrows(UnknownSettingException.class,
            () -> NvmeqSettings.fromConfig(withReference("nvmeq.io-timeout = 5s")));
        assertEquals("nvmeq.recovery.io-timeout", error.nearest());
    }

    @Test
    void aKeyLikeNoOtherGetsNoSuggestionButIsStillRefused()
    {
        final UnknownSettingException error = assertThrows(UnknownSettingException.class,
            () -> NvmeqSettings.fromConfig(withReference("nvmeq.completely-unrelated-setting-name = 1")));
        assertNull(error.nearest());
    }

    @Test
    void theMessageSaysWhereTheKeyCameFrom()
    {
        final Config config = ConfigFactory.parseString("nvmeq {\n  device = \"emu:null\"\n  queue-entrys = 64\n}",
                ConfigParseOptions.defaults().setOriginDescription("app.conf"))
            .withFallback(ConfigFactory.defaultReference()).resolve();
        final UnknownSettingException error = assertThrows(UnknownSettingException.class,
            () -> NvmeqSettings.fromConfig(config));
        assertTrue(error.getMessage().startsWith("app.conf: 3:"), error.getMessage());
        assertEquals("nvmeq.queue-entries", error.nearest());
    }

    @Test
    void everyKeyOfTheReferenceAndTheAkkaBlocksAreAccepted()
    {
        assertDoesNotThrow(() -> NvmeqSettings.fromConfig(withReference(
            "nvmeq.akka.loglevel = DEBUG\n" +
            "nvmeq.cpu-dispatcher-3 { cpu = 3, throughput = 8 }\n" +
            "nvmeq.self-poll-dispatcher-1.throughput = 4\n" +
            "nvmeq.cpu-dispatcher-template.mailbox-type = \"akka.dispatch.SingleConsumerOnlyUnboundedMailbox\"")));
    }

    @Test
    void theConfigGivenToOpenIsCheckedBeforeAnythingStarts()
    {
        final Config config = withReference("nvmeq.backlogg = 10");
        final UnknownSettingException error = assertThrows(UnknownSettingException.class,
            () -> Nvmeq.open(TestSupport.settings("KEYS-1"), config));
        assertEquals("nvmeq.backlog", error.nearest());
    }
}
