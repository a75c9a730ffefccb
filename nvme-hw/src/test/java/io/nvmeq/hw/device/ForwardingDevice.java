package io.nvmeq.hw.device;

/**
 * A device that hands every call to another one: the base of test devices that change one part of a
 * device's behaviour (its register space, its interrupt vectors) and leave the rest as it is.
 */
public abstract class ForwardingDevice implements NvmeDevice
{
    protected final NvmeDevice device;

    protected ForwardingDevice(final NvmeDevice device)
    {
        this.device = device;
    }

    @Override
    public String uri()
    {
        return device.uri();
    }

    @Override
    public int defaultNamespace()
    {
        return device.defaultNamespace();
    }

    @Override
    public RegisterSpace registers()
    {
        return device.registers();
    }

    @Override
    public Iommu iommu()
    {
        return device.iommu();
    }

    @Override
    public void poll(final int cqId)
    {
        device.poll(cqId);
    }

    @Override
    public long nextPollDeadline(final int cqId)
    {
        return device.nextPollDeadline(cqId);
    }

    @Override
    public InterruptVectors interrupts()
    {
        return device.interrupts();
    }

    @Override
    public void close()
    {
        device.close();
    }
}
