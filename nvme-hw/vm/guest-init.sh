#!/bin/busybox sh
# /init of the nvmeq test VM (see run-in-vm.sh). Runs as PID 1 from the initramfs: loads the 9p, overlay
# and VFIO modules, mounts the host's root read-only over 9p under a tmpfs overlay, binds every NVMe
# function to vfio-pci but the last nvmeq.kernel_nvme ones, which the kernel's nvme driver gets (for
# comparisons with the kernel's path), then chroots into the overlay and runs the command the host left in
# the results share, records its exit status there and powers off. Any failure here powers off too: the host sees
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
KERNEL_NVME=0
for arg in $(cat /proc/cmdline); do
    case "$arg" in
        nvmeq.results=*) RESULTS="${arg#nvmeq.results=}" ;;
        nvmeq.hugepages=*) HUGEPAGES="${arg#nvmeq.hugepages=}" ;;
        nvmeq.kernel_nvme=*) KERNEL_NVME="${arg#nvmeq.kernel_nvme=}" ;;
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
# No tmpfs over /tmp: the overlay's /tmp is already writable (its upper layer is tmpfs), and a checkout
# under the host's /tmp (CI clones there) must stay visible at its own path.
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

# NVMe functions (class 0x010802) in address order, which is the order of run-in-vm.sh's -device options:
# the first ones to vfio-pci, the last $KERNEL_NVME to the kernel's nvme driver. nvme is loaded only after
# the others carry driver_override=vfio-pci, so that it takes none of them.
FUNCTIONS=
for dev in /sys/bus/pci/devices/*; do
    [ "$(cat "$dev/class")" = 0x010802 ] && FUNCTIONS="$FUNCTIONS ${dev##*/}"
done
TOTAL=$(echo $FUNCTIONS | wc -w)
[ "$KERNEL_NVME" -le "$TOTAL" ] || halt "nvmeq.kernel_nvme=$KERNEL_NVME but the guest has only $TOTAL NVMe functions"
VFIO_COUNT=$((TOTAL - KERNEL_NVME))
: > "$OUT/nvme-functions"
index=0
for bdf in $FUNCTIONS; do
    dev=/sys/bus/pci/devices/$bdf
    index=$((index + 1))
    [ "$index" -le "$VFIO_COUNT" ] || continue
    [ -e "$dev/driver" ] && echo "$bdf" > "$dev/driver/unbind"
    echo vfio-pci > "$dev/driver_override"
    echo "$bdf" > /sys/bus/pci/drivers_probe
done
if [ "$KERNEL_NVME" -gt 0 ]; then
    modprobe nvme || halt "modprobe nvme failed"
fi
# One line per function: address, driver, IOMMU group, and for the kernel's the block devices of its
# namespaces, which the nvme driver creates after its probe returns: wait for them (bounded).
for bdf in $FUNCTIONS; do
    dev=/sys/bus/pci/devices/$bdf
    driver=$(readlink "$dev/driver")
    group=$(readlink "$dev/iommu_group")
    blocks=
    if [ "${driver##*/}" = nvme ]; then
        tries=0
        while [ -z "$blocks" ] && [ "$tries" -lt 300 ]; do
            for namespace in "$dev"/nvme/nvme*/nvme*n*; do
                [ -e "$namespace" ] || continue
                # With native multipath the controller holds the hidden path nvmeXcYnZ of the disk nvmeXnZ.
                name=$(echo "${namespace##*/}" | sed 's/c[0-9]*n/n/')
                [ -e "/dev/$name" ] && blocks="$blocks${blocks:+,}$name"
            done
            [ -n "$blocks" ] || { sleep 0.1; tries=$((tries + 1)); }
        done
        [ -n "$blocks" ] || halt "$bdf is bound to nvme but no namespace block device appeared in 30 s"
    fi
    echo "$bdf ${driver##*/} ${group##*/}${blocks:+ $blocks}" >> "$OUT/nvme-functions"
done

cut -d' ' -f1 /proc/uptime > "$OUT/boot-seconds"
say "booted in $(cat "$OUT/boot-seconds") s; NVMe functions (address driver group [block devices]): $(tr '\n' ';' < "$OUT/nvme-functions")"
chroot "$NEWROOT" /bin/sh "$RESULTS/command.sh" < /dev/console > /dev/console 2>&1
status=$?
cut -d' ' -f1 /proc/uptime > "$OUT/end-seconds"
echo "$status" > "$OUT/status"
sync
umount "$OUT"
halt "command exited with status $status"
