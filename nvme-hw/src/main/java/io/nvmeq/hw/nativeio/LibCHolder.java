package io.nvmeq.hw.nativeio;

import jnr.ffi.Runtime;

/** Loads libc once, on first use, with jnr-ffi's x86 fast path off (see {@link NativeLibraries}). */
final class LibCHolder
{
    static final LibC LIBC = NativeLibraries.load(LibC.class, "c");
    static final Runtime RUNTIME = Runtime.getRuntime(LIBC);

    private LibCHolder()
    {
    }
}
