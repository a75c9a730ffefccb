package io.nvmeq.engine;

/**
 * The controller's health as the driver sees it now.
 *
 * @param csts      the Controller Status register as read now (all ones: the device is gone)
 * @param ready     CSTS.RDY
 * @param fatal     CSTS.CFS, or the register reads all ones
 * @param resetting a controller reset is under way
 * @param resets    controller resets since bring-up (after CSTS.CFS, timeouts, or on request)
 * @param failed    a reset failed: the controller is unusable and every command on it fails
 */
public record ControllerHealth(int csts, boolean ready, boolean fatal, boolean resetting, long resets, boolean failed)
{
}
