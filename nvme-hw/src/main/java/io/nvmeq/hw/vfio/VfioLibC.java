package io.nvmeq.hw.vfio;

import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The libc calls VFIO needs beyond {@link io.nvmeq.hw.nativeio.LibC}: {@code ioctl} with an integer or a
 * pointer argument, and positioned reads and writes on the device fd (PCI config space). Pointers are
 * raw native addresses (direct buffers), so no jnr marshalling happens per call. Public only because
 * jnr-ffi generates its implementation in another class loader; use it through {@link VfioDevice}.
 */
public interface VfioLibC
{
    int EPERM = 1;
    int ENOENT = 2;
    int EINTR = 4;
    int EIO = 5;
    int ENODEV = 19;
    int ENOMEM = 12;
    int EACCES = 13;
    int EFAULT = 14;
    int EBUSY = 16;
    int EEXIST = 17;
    int EINVAL = 22;
    int ENOSPC = 28;
    int ENOTTY = 25;

    /** The bound library, loaded once, with jnr's x86 asm path off (see NativeLibraries). */
    static VfioLibC libc()
    {
        return VfioLibCHolder.LIBC;
    }

    /** errno of the calling thread's last call through this binding. */
    static int errno()
    {
        return VfioLibCHolder.RUNTIME.getLastError();
    }

    /** {@code ioctl(fd, request, arg)} where {@code arg} is an integer or a native address. */
    @SaveError
    int ioctl(int fd, long request, long arg);

    @SaveError
    @ssize_t
    long pread(int fd, long buffer, @size_t long count, @off_t long offset);

    @SaveError
    @ssize_t
    long pwrite(int fd, long buffer, @size_t long count, @off_t long offset);
}
