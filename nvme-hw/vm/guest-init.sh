#!/bin/busybox sh
# /init of the nvmeq test VM (see run-in-vm.sh). Runs as PID 1 from the initramfs: loads the 9p, overlay
# and VFIO modules, mounts the host's root read-only over 9p under a tmpfs overlay, binds every NVMe
# function to vfio-pci, then chroots into the overlay and runs the command the host left in the results
# share, records its exit status there and powers off. Any failure here powers off too: the host sees
# no status file and reports the boot as failed.
/bin/busybox --install -s /bin
export PATH=/bin:/sbin

say()
{
    echo "nvmeq-vm: $*" > /dev/console
}

halt()
{
    say "$*"
    sync
    poweroff -f
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

# Kernel parameters with a dot never reach init's environment: read them from /proc/cmdline.
RESULTS=
HUGEPAGES=0
for arg in $(cat /proc/cmdline); do
    case "$arg" in
        nvmeq.results=*) RESULTS="${arg#nvmeq.results=}" ;;
        nvmeq.hugepages=*) HUGEPAGES="${arg#nvmeq.hugepages=}" ;;
    esac
done
[ -n "$RESULTS" ] || halt "no nvmeq.results= on the kernel command line"

# vfio_iommu_type1 is only a soft dependency of vfio, which busybox modprobe ignores: load it by name.
for module in virtio_pci 9pnet_virtio 9p overlay vfio vfio_iommu_type1 vfio-pci; do
    modprobe "$module" || halt "modprobe $module failed"
done

NEWROOT=/newroot
mkdir -p /lower /rw "$NEWROOT"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=loose,ro hostroot /lower ||
    halt "cannot mount the host's root (9p tag hostroot)"
mount -t tmpfs -o mode=0755 tmpfs /rw
mkdir -p /rw/upper /rw/work
mount -t overlay overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work "$NEWROOT" ||
    halt "cannot mount the overlay"
mount -t proc proc "$NEWROOT/proc"
mount -t sysfs sysfs "$NEWROOT/sys"
mount -t devtmpfs devtmpfs "$NEWROOT/dev"
mkdir -p "$NEWROOT/dev/pts" "$NEWROOT/dev/shm" "$NEWROOT/dev/hugepages"
mount -t devpts devpts "$NEWROOT/dev/pts"
mount -t tmpfs tmpfs "$NEWROOT/dev/shm"
mount -t tmpfs tmpfs "$NEWROOT/tmp"
mount -t tmpfs tmpfs "$NEWROOT/run"
mkdir -p "$NEWROOT$RESULTS"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=none results "$NEWROOT$RESULTS" ||
    halt "cannot mount the results share at $RESULTS"
OUT="$NEWROOT$RESULTS"

# DMA memory: hugepages for DmaMemory, and no locked-memory limit for VFIO's pinning.
if [ "$HUGEPAGES" -gt 0 ]; then
    echo "$HUGEPAGES" > /proc/sys/vm/nr_hugepages
    mount -t hugetlbfs -o pagesize=2M hugetlbfs "$NEWROOT/dev/hugepages"
fi
ulimit -l unlimited

# Every NVMe function (class 0x010802) to vfio-pci; no nvme module is loaded, so none is bound yet.
: > "$OUT/nvme-functions"
for dev in /sys/bus/pci/devices/*; do
    [ "$(cat "$dev/class")" = 0x010802 ] || continue
    bdf="${dev##*/}"
    [ -e "$dev/driver" ] && echo "$bdf" > "$dev/driver/unbind"
    echo vfio-pci > "$dev/driver_override"
    echo "$bdf" > /sys/bus/pci/drivers_probe
    driver=$(readlink "$dev/driver")
    group=$(readlink "$dev/iommu_group")
    echo "$bdf ${driver##*/} ${group##*/}" >> "$OUT/nvme-functions"
done

cut -d' ' -f1 /proc/uptime > "$OUT/boot-seconds"
say "booted in $(cat "$OUT/boot-seconds") s; NVMe functions (address driver group): $(tr '\n' ';' < "$OUT/nvme-functions")"
chroot "$NEWROOT" /bin/sh "$RESULTS/command.sh" < /dev/console > /dev/console 2>&1
status=$?
cut -d' ' -f1 /proc/uptime > "$OUT/end-seconds"
echo "$status" > "$OUT/status"
sync
umount "$OUT"
halt "command exited with status $status"
