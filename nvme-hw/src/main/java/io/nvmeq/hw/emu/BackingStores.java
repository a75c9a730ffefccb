package io.nvmeq.hw.emu;

/**
 * The stores of a controller's namespaces, opened for a configuration: one image file with the
 * namespaces one after another, one sparse memory store per namespace, or one null store. For a file,
 * {@link #config()} carries the geometry the image records, which may differ from the one asked for
 * where the URI left it out.
 */
record BackingStores(EmulatorConfig config, BlockStore[] stores)
{
    static BackingStores open(final EmulatorConfig config, final String uri)
    {
        switch (config.backend())
        {
            case FILE:
                final ImageFile.Opened image = ImageFile.open(config, uri);
                return new BackingStores(image.config(), new BlockStore[]{ image.store() });
            case NULL:
                return new BackingStores(config, new BlockStore[]{ new NullStore() });
            case MEMORY:
            default:
                final BlockStore[] stores = new BlockStore[config.namespaces()];
                for (int i = 0; i < stores.length; i++)
                {
                    // Sparse: nothing is allocated until written, so creating them cannot run out of memory.
                    stores[i] = new MemoryStore(config.namespaceBytes());
                }
                return new BackingStores(config, stores);
        }
    }

    /** Base offset of namespace {@code index} (0-based) in its store. */
    long baseOffset(final int index)
    {
        return stores.length == 1 ? index * config.namespaceBytes() : 0;
    }

    BlockStore storeOf(final int index)
    {
        return stores.length == 1 ? stores[0] : stores[index];
    }

    /** Closes every store, each even if another fails; the first failure is rethrown. */
    void close()
    {
        RuntimeException failure = null;
        for (final BlockStore store : stores)
        {
            try
            {
                store.close();
            }
            catch (final RuntimeException ex)
            {
                if (failure == null)
                {
                    failure = ex;
                }
            }
        }
        if (failure != null)
        {
            throw failure;
        }
    }
}
