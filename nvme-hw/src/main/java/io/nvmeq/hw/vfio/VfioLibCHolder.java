package io.nvmeq.hw.vfio;

import io.nvmeq.hw.nativeio.NativeLibraries;
import jnr.ffi.Runtime;

/** Loads libc for {@link VfioLibC} once, on first use, through {@link NativeLibraries} (x86 asm path off). */
final class VfioLibCHolder
{
    static final VfioLibC LIBC = NativeLibraries.load(VfioLibC.class, "c");
    static final Runtime RUNTIME = Runtime.getRuntime(LIBC);

    private VfioLibCHolder()
    {
    }
}
