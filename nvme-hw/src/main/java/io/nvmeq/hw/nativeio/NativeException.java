package io.nvmeq.hw.nativeio;

/**
 * A native call that failed: which call, its errno, and the C library's text for that errno.
 */
public class NativeException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int errno;

    public NativeException(final String call, final int errno, final String detail)
    {
        super(call + " failed: errno " + errno + " (" + LibC.strerrorText(errno) + ")" +
            (detail == null || detail.isEmpty() ? "" : ": " + detail));
        this.call = call;
        this.errno = errno;
    }

    /** Builds the exception for {@code call} from the calling thread's current errno. */
    public static NativeException lastError(final String call, final String detail)
    {
        return new NativeException(call, LibC.errno(), detail);
    }

    /** The native function that failed, e.g. {@code mmap}. */
    public String call()
    {
        return call;
    }

    /** The errno the call left, e.g. {@link LibC#EINVAL}. */
    public int errno()
    {
        return errno;
    }
}
