package io.nvmeq.hw.dma;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HugePagesTest
{
    private static final String MEMINFO = """
        MemTotal:       16318480 kB
        HugePages_Total:     512
        HugePages_Free:      100
        HugePages_Rsvd:        0
        Hugepagesize:       2048 kB
        Hugetlb:         1048576 kB
        """;

    @Test
    void readsFreePagesAndPageSize()
    {
        final HugePages pool = HugePages.parse(MEMINFO);
        assertEquals(2L << 20, pool.pageSize());
        assertEquals(100, pool.freePages());
        assertTrue(pool.canCover2M(100L * (2L << 20)));
        assertFalse(pool.canCover2M(101L * (2L << 20)));
    }

    @Test
    void noPoolOrAnotherDefaultSizeCoversNothing()
    {
        assertFalse(HugePages.parse("MemTotal: 1 kB\n").canCover2M(2L << 20));
        assertFalse(HugePages.parse("HugePages_Free: 4\nHugepagesize: 1048576 kB\n").canCover2M(2L << 20));
        assertEquals(0, HugePages.parse("HugePages_Free: lots\n").freePages());
    }
}
