#!/usr/bin/env bash
# Runs a command inside a QEMU guest whose NVMe controllers are bound to vfio-pci behind an emulated
# Intel IOMMU, with this host's root filesystem visible read-only (under a tmpfs overlay), so that the
# host's JDK, Maven repository and build output are used as they are. Exits with the command's status.
#
#   nvme-hw/vm/run-in-vm.sh [--] COMMAND [ARGS...]
#
# The command runs as root in the guest, in the current directory, with NVMEQ_IN_VM=1 and
# NVMEQ_VM_RESULTS (a writable folder shared with the host) in its environment. $NVMEQ_VM_RESULTS/nvme-functions
# has a line per NVMe function, in -device order: address, driver, IOMMU group and, for the kernel's, its
# block devices (e.g. "0000:00:04.0 nvme 4 nvme0n1").
#
# Settings (environment):
#   NVMEQ_VM_CACHE       downloads, kernel and initramfs        (default ~/.cache/nvmeq-vm)
#   NVMEQ_VM_WORK        this run's images and results; must not exist or be empty (default: a new
#                        folder under $NVMEQ_VM_CACHE/runs, removed afterwards unless NVMEQ_VM_KEEP=1)
#   NVMEQ_VM_NVME        number of NVMe controllers, one raw image each          (default 1)
#   NVMEQ_VM_KERNEL_NVME the last N of them stay with the kernel's nvme driver (/dev/nvmeXnY) instead of
#                        vfio-pci, for comparisons with the kernel's path      (default 0)
#   NVMEQ_VM_DISK_SIZE   size of each image, as truncate(1) takes it              (default 256M)
#   NVMEQ_VM_NVME_OPTS   extra -device nvme properties, e.g. mdts=5               (default none)
#   NVMEQ_VM_NAMESPACES  namespaces per controller, one raw image each (QEMU nvme-ns devices, NSIDs 1..N):
#                        namespace 1 in nvme<i>.img, namespace K > 1 in nvme<i>-ns<K>.img   (default 1)
#   NVMEQ_VM_MEMORY      guest memory (default 2G); NVMEQ_VM_HUGEPAGES: 2 MiB pages reserved (default 256)
#   NVMEQ_VM_SMP         guest CPUs (default 2)
#   NVMEQ_VM_TIMEOUT     seconds before QEMU is killed (default 900)
#   NVMEQ_VM_CPU         the -cpu model under tcg (default Westmere)
#   NVMEQ_VM_TCG_THREAD  single or multi (default single: see the comment at -accel)
#   NVMEQ_VM_ACCEL       tcg or kvm (default: kvm only if kvm_intel/kvm_amd is loaded: a nested /dev/kvm may not run a normal guest kernel)
#   NVMEQ_VM_KEEP        1 keeps the work folder (images, results) and prints where it is
#
# Needs qemu-system-x86_64 (apt-get install -y qemu-system-x86) and apt-get (for the Debian kernel and
# busybox-static, downloaded once into the cache). Boot takes ~5 s with TCG.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${NVMEQ_VM_CACHE:-$HOME/.cache/nvmeq-vm}
controllers=${NVMEQ_VM_NVME:-1}
kernel_controllers=${NVMEQ_VM_KERNEL_NVME:-0}
disk_size=${NVMEQ_VM_DISK_SIZE:-256M}
nvme_opts=${NVMEQ_VM_NVME_OPTS:-}
namespaces=${NVMEQ_VM_NAMESPACES:-1}
memory=${NVMEQ_VM_MEMORY:-2G}
hugepages=${NVMEQ_VM_HUGEPAGES:-256}
smp=${NVMEQ_VM_SMP:-2}
vm_timeout=${NVMEQ_VM_TIMEOUT:-900}
keep=${NVMEQ_VM_KEEP:-0}
# nvme (and nvme-core) is in the initramfs for NVMEQ_VM_KERNEL_NVME; the guest loads it only then.
modules="virtio_pci 9pnet_virtio 9p overlay vfio vfio_iommu_type1 vfio-pci nvme nvme-core"

fail()
{
    echo "run-in-vm: $*" >&2
    exit 2
}

log()
{
    echo "run-in-vm: $*" >&2
}

[ "${1:-}" = "--" ] && shift
[ $# -gt 0 ] || fail "no command given; usage: $0 [--] COMMAND [ARGS...]"
command -v qemu-system-x86_64 > /dev/null ||
    fail "qemu-system-x86_64 is not installed; install it with: apt-get install -y qemu-system-x86"
[ -r /usr/share/qemu/qboot.rom ] || fail "/usr/share/qemu/qboot.rom is missing (it comes with qemu-system-x86)"
for tool in apt-get apt-cache dpkg-deb xz truncate timeout sha256sum; do
    command -v "$tool" > /dev/null || fail "$tool is missing"
done
case "$controllers" in ''|*[!0-9]*) fail "NVMEQ_VM_NVME must be a number, not '$controllers'" ;; esac
case "$kernel_controllers" in ''|*[!0-9]*) fail "NVMEQ_VM_KERNEL_NVME must be a number, not '$kernel_controllers'" ;; esac
case "$namespaces" in ''|0|*[!0-9]*) fail "NVMEQ_VM_NAMESPACES must be a number of 1 or more, not '$namespaces'" ;; esac
[ "$kernel_controllers" -le "$controllers" ] ||
    fail "NVMEQ_VM_KERNEL_NVME=$kernel_controllers is more than NVMEQ_VM_NVME=$controllers controllers"

started=$(date +%s.%N)
mkdir -p "$cache/debs"

# --- 1. The Debian kernel that linux-image-amd64 depends on, and busybox-static (downloaded once). ---
kernel_depends() { apt-cache depends linux-image-amd64 2> /dev/null || true; }
depends=$(kernel_depends)
if [[ "$depends" != *"Depends: linux-image-"* ]]; then
    log "apt-get update (the package lists do not know linux-image-amd64)"
    apt-get update -qq > /dev/null || fail "apt-get update failed"
    depends=$(kernel_depends)
fi
kernel_package=
for word in $depends; do
    case "$word" in linux-image-[0-9]*) kernel_package=$word; break ;; esac
done
[ -n "$kernel_package" ] || fail "cannot tell which kernel linux-image-amd64 depends on: $depends"
kernel_version=${kernel_package#linux-image-}

download()
{
    local package=$1
    local found
    found=$(find "$cache/debs" -maxdepth 1 -name "${package}_*.deb" -print -quit)
    if [ -z "$found" ]; then
        log "downloading $package"
        # apt-get warns when run as root that _apt cannot write here; only a failure is worth showing.
        (cd "$cache/debs" && apt-get download -qq "$package" > /dev/null 2> apt.log) || {
            apt-get update -qq > /dev/null
            (cd "$cache/debs" && apt-get download -qq "$package" > /dev/null 2> apt.log) ||
                fail "apt-get download $package failed: $(cat "$cache/debs/apt.log")"
        }
        found=$(find "$cache/debs" -maxdepth 1 -name "${package}_*.deb" -print -quit)
    fi
    [ -n "$found" ] || fail "no .deb for $package in $cache/debs"
    echo "$found"
}

kernel_dir="$cache/kernel-$kernel_version"
if [ ! -s "$kernel_dir/vmlinux" ] || [ ! -s "$kernel_dir/modules-ready" ]; then
    deb=$(download "$kernel_package")
    rm -rf "$kernel_dir"
    mkdir -p "$kernel_dir/root"
    log "unpacking $(basename "$deb")"
    dpkg-deb -x "$deb" "$kernel_dir/root"
    vmlinuz="$kernel_dir/root/boot/vmlinuz-$kernel_version"
    [ -s "$vmlinuz" ] || fail "$vmlinuz is missing from $deb"
    # The uncompressed ELF boots through its PVH entry, which saves the bzImage decompression under TCG:
    # it is the xz stream inside the bzImage (magic FD 37 7A 58 5A 00); try each match until one is ELF.
    offsets=$( { LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$vmlinuz" || true; } | LC_ALL=C tr -d '\000')
    for match in $offsets; do
        offset=${match%%:*}
        tail -c +$((offset + 1)) "$vmlinuz" > "$kernel_dir/payload.xz"
        if xz -dc --single-stream "$kernel_dir/payload.xz" > "$kernel_dir/vmlinux" 2> /dev/null &&
            [ "$(head -c 4 "$kernel_dir/vmlinux" | od -An -c | tr -d ' ')" = '177ELF' ]; then
            break
        fi
        rm -f "$kernel_dir/vmlinux"
    done
    rm -f "$kernel_dir/payload.xz"
    [ -s "$kernel_dir/vmlinux" ] || fail "no xz-compressed ELF kernel found inside $vmlinuz"
    echo "$kernel_version" > "$kernel_dir/modules-ready"
fi

busybox_dir="$cache/busybox"
if [ ! -x "$busybox_dir/bin/busybox" ]; then
    deb=$(download busybox-static)
    rm -rf "$busybox_dir"
    mkdir -p "$busybox_dir"
    dpkg-deb -x "$deb" "$busybox_dir"
    [ -x "$busybox_dir/bin/busybox" ] || fail "busybox-static has no bin/busybox"
fi
busybox="$busybox_dir/bin/busybox"

# --- 2. The initramfs: busybox, the module closure, /init. Rebuilt when the init script changes. ---
init_hash=$( (cat "$script_dir/guest-init.sh"; echo "$modules") | sha256sum)
init_hash=${init_hash%% *}
initramfs="$cache/initramfs-$kernel_version-${init_hash:0:12}.cpio.gz"
if [ ! -s "$initramfs" ]; then
    log "building $(basename "$initramfs")"
    module_root="$kernel_dir/root/lib/modules/$kernel_version"
    [ -s "$module_root/modules.dep" ] || "$busybox" depmod -b "$kernel_dir/root" "$kernel_version"
    stage=$(mktemp -d "$cache/stage.XXXXXX")
    trap 'rm -rf "$stage"' EXIT
    mkdir -p "$stage/bin" "$stage/sbin" "$stage/proc" "$stage/sys" "$stage/dev" "$stage/lib/modules/$kernel_version"
    cp "$busybox" "$stage/bin/busybox"
    cp "$script_dir/guest-init.sh" "$stage/init"
    chmod 755 "$stage/init"
    # The closure of the wanted modules over modules.dep ("path: dependency paths...").
    declare -A dep_of=()
    declare -A path_of=()
    while IFS= read -r line; do
        path=${line%%:*}
        name=${path##*/}
        name=${name%%.ko*}
        name=${name//-/_}
        path_of[$name]=$path
        dep_of[$path]=${line#*:}
    done < "$module_root/modules.dep"
    declare -A wanted=()
    queue=()
    for module in $modules; do
        name=${module//-/_}
        [ -n "${path_of[$name]:-}" ] || fail "module $module is not in $kernel_package"
        queue+=("${path_of[$name]}")
    done
    while [ ${#queue[@]} -gt 0 ]; do
        path=${queue[0]}
        queue=("${queue[@]:1}")
        [ -n "${wanted[$path]:-}" ] && continue
        wanted[$path]=1
        for dependency in ${dep_of[$path]}; do
            queue+=("$dependency")
        done
    done
    for path in "${!wanted[@]}"; do
        mkdir -p "$stage/lib/modules/$kernel_version/$(dirname "$path")"
        case "$path" in
            *.ko.xz) xz -dc "$module_root/$path" > "$stage/lib/modules/$kernel_version/${path%.xz}" ;;
            *) cp "$module_root/$path" "$stage/lib/modules/$kernel_version/$path" ;;
        esac
    done
    log "initramfs modules: ${#wanted[@]} (closure of: $modules)"
    "$busybox" depmod -b "$stage" "$kernel_version"
    (cd "$stage" && find . | "$busybox" cpio -o -H newc 2> /dev/null) | gzip -1 > "$initramfs.tmp"
    mv "$initramfs.tmp" "$initramfs"
    rm -rf "$stage"
    trap - EXIT
fi

# --- 3. This run's folder: raw NVMe images and the results share. ---
mkdir -p "$cache/runs"
if [ -n "${NVMEQ_VM_WORK:-}" ]; then
    work=$NVMEQ_VM_WORK
    mkdir -p "$work"
    [ -z "$(ls -A "$work")" ] || fail "NVMEQ_VM_WORK=$work is not empty (concurrent runs need their own folders)"
else
    work=$(mktemp -d "$cache/runs/run.XXXXXX")
fi
work=$(cd "$work" && pwd)
case "$work" in *[[:space:]]*) fail "the work folder '$work' contains whitespace" ;; esac
results="$work/results"
mkdir -p "$results"
cleanup()
{
    if [ "$keep" = 1 ]; then
        log "kept $work (images nvme*.img, results/)"
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT

drives=()
for ((i = 0; i < controllers; i++)); do
    truncate -s "$disk_size" "$work/nvme$i.img"
    if [ "$namespaces" -eq 1 ]; then
        drives+=(-drive "file=$work/nvme$i.img,if=none,id=nvm$i,format=raw,cache=writeback"
            -device "nvme,serial=nvmeq-vm-$i,drive=nvm$i,max_ioqpairs=8${nvme_opts:+,$nvme_opts}")
        continue
    fi
    # Several namespaces: the controller without a drive, then one nvme-ns device (and image) per NSID.
    drives+=(-device "nvme,id=nvme$i,serial=nvmeq-vm-$i,max_ioqpairs=8${nvme_opts:+,$nvme_opts}")
    for ((k = 1; k <= namespaces; k++)); do
        image="$work/nvme$i.img"
        [ "$k" -eq 1 ] || { image="$work/nvme$i-ns$k.img"; truncate -s "$disk_size" "$image"; }
        drives+=(-drive "file=$image,if=none,id=nvm$i-$k,format=raw,cache=writeback"
            -device "nvme-ns,drive=nvm$i-$k,bus=nvme$i,nsid=$k")
    done
done

# The command, run by /bin/sh of the host's root inside the guest, in the current directory. Quoted for any
# POSIX sh (bash's printf %q writes $'...' for newlines, which dash does not read).
sh_quote()
{
    local escaped=${1//\'/\'\\\'\'}
    printf "'%s'" "$escaped"
}
{
    echo "cd $(sh_quote "$PWD") || exit 126"
    echo "export PATH=$(sh_quote "$PATH") HOME=$(sh_quote "$HOME") NVMEQ_IN_VM=1 NVMEQ_VM_RESULTS=$(sh_quote "$results")"
    [ -n "${JAVA_HOME:-}" ] && echo "export JAVA_HOME=$(sh_quote "$JAVA_HOME")"
    printf 'exec'
    for argument in "$@"; do
        printf ' %s' "$(sh_quote "$argument")"
    done
    printf '\n'
} > "$results/command.sh"

accel=${NVMEQ_VM_ACCEL:-}
if [ -z "$accel" ]; then
    # /dev/kvm may be a nested PVM that only runs PVM guest kernels : trust only kvm_intel/kvm_amd.
    if [ -w /dev/kvm ] && { [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; }; then
        accel=kvm
    else
        accel=tcg
    fi
fi
if [ "$accel" = kvm ]; then
    machine=(-accel kvm -machine q35,kernel-irqchip=split -cpu host)
else
    # Not -cpu max: QEMU 7.2's software emulation of the newest vector extensions once crashed the
    # guest JVM's JIT code with SIGILL. Westmere (SSE4.2, no AVX) is what the JVM needs, emulated well.
    # thread=single: one host thread runs every vCPU. With multi-threaded TCG the guest JVM crashed now and
    # then (SIGSEGV/SIGILL inside JIT-compiled code that another vCPU had just patched).
    machine=(-accel "tcg,thread=${NVMEQ_VM_TCG_THREAD:-single}" -machine q35 -cpu "${NVMEQ_VM_CPU:-Westmere}")
fi

log "booting ($accel, $smp CPUs, $memory, $controllers NVMe controller(s) of $namespaces namespace(s) of $disk_size, the last $kernel_controllers on the kernel's nvme driver) in $work"
qemu_started=$(date +%s.%N)
set +e
timeout -k 10 "$vm_timeout" qemu-system-x86_64 "${machine[@]}" -m "$memory" -smp "$smp" \
    -device intel-iommu,intremap=on -bios /usr/share/qemu/qboot.rom \
    -nodefaults -no-user-config -display none -serial stdio -monitor none -no-reboot \
    -kernel "$kernel_dir/vmlinux" -initrd "$initramfs" \
    -append "console=ttyS0 panic=-1 intel_iommu=on quiet loglevel=1 nvmeq.results=$results nvmeq.hugepages=$hugepages nvmeq.kernel_nvme=$kernel_controllers" \
    -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
    -virtfs "local,path=$results,mount_tag=results,security_model=none,multidevs=remap" \
    "${drives[@]}" < /dev/null
qemu_status=$?
set -e
finished=$(date +%s.%N)

seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
if [ "$qemu_status" -eq 124 ] || [ "$qemu_status" -eq 137 ]; then
    log "QEMU was killed after ${vm_timeout} s (NVMEQ_VM_TIMEOUT)"
    exit 124
fi
if [ ! -s "$results/status" ]; then
    log "the guest did not record an exit status (QEMU exit status $qemu_status): it failed to boot or to run the command; see the console output above"
    exit 125
fi
status=$(cat "$results/status")
boot=$(cat "$results/boot-seconds" 2> /dev/null || echo '?')
guest_end=$(cat "$results/end-seconds" 2> /dev/null || echo '?')
command_seconds=$( [ "$boot" != '?' ] && [ "$guest_end" != '?' ] && seconds "$boot" "$guest_end" || echo '?')
log "guest boot ${boot} s (kernel uptime when the command started), command ${command_seconds} s, QEMU $(seconds "$qemu_started" "$finished") s, total $(seconds "$started" "$finished") s; exit status $status"
exit "$status"
