package io.nvmeq.hw.vfio;

import java.util.Objects;

/**
 * A PCI function as sysfs shows it: its address ({@code 0000:44:00.0}) and the driver bound to it,
 * {@code ""} when none is.
 */
public record PciFunction(String address, String driver)
{
    public PciFunction
    {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(driver, "driver");
    }

    public boolean hasDriver()
    {
        return !driver.isEmpty();
    }

    /** e.g. {@code 0000:44:00.0 (driver nvme)} or {@code 0000:44:00.1 (no driver)}. */
    public String describe()
    {
        return address + (hasDriver() ? " (driver " + driver + ")" : " (no driver)");
    }
}
