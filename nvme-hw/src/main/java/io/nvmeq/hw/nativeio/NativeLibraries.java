package io.nvmeq.hw.nativeio;

import jnr.ffi.LibraryLoader;

/**
 * The one way nvmeq loads a native library through jnr-ffi. It turns off jnr-ffi's x86 assembly fast
 * path before the first library loads, because that path drops the 6th integer argument of an
 * all-primitive call on x86-64 ({@code mmap}'s offset arrives as garbage and the call fails with
 * EINVAL). The JVM flag {@code -Djnr.ffi.x86asm.enabled=false} does the same; loading through here makes
 * every JVM safe without it. An explicit setting of the property is respected.
 */
public final class NativeLibraries
{
    /** The system property jnr-ffi reads once, when it first generates an invoker. */
    public static final String X86ASM_PROPERTY = "jnr.ffi.x86asm.enabled";

    private NativeLibraries()
    {
    }

    /**
     * Loads {@code libraryName} and binds it to {@code type}.
     *
     * @throws UnsatisfiedLinkError if the library or one of the interface's functions cannot be found
     */
    public static <T> T load(final Class<T> type, final String libraryName)
    {
        disableX86AsmUnlessSet();
        return LibraryLoader.create(type).load(libraryName);
    }

    static void disableX86AsmUnlessSet()
    {
        if (System.getProperty(X86ASM_PROPERTY) == null)
        {
            System.setProperty(X86ASM_PROPERTY, "false");
        }
    }
}
