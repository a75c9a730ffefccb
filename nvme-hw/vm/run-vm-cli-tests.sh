#!/usr/bin/env bash
# The command line against QEMU's NVMe controller with two namespaces, through VFIO: the namespace an
# nvme://BDF/NSID URI names is the one written. In the guest, nvmeq (examples/target/nvmeq.jar; built here when
# missing) writes 0xCD to block 0 of namespace 2, is refused (exit 2) a write whose -n contradicts the URI, reads
# the block back and shows identify as JSON; then the host checks its raw images: namespace 2's image holds the
# pattern and namespace 1's image is untouched. Exits non-zero if anything fails.
#
#   nvme-hw/vm/run-vm-cli-tests.sh        (from anywhere; settings as for run-in-vm.sh, and NVMEQ_JAR: another
#                                          nvmeq.jar than examples/target's)
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$script_dir/../.." && pwd)
cache=${NVMEQ_VM_CACHE:-$HOME/.cache/nvmeq-vm}

fail()
{
    echo "run-vm-cli-tests: $*" >&2
    exit 2
}

started=$(date +%s.%N)
jar=${NVMEQ_JAR:-$repo/examples/target/nvmeq.jar}
if [ ! -s "$jar" ]; then
    echo "run-vm-cli-tests: building $jar"
    (cd "$repo" && mvn -q -B package -DskipTests -pl examples -am) || fail "the build failed"
fi
java_bin=$(command -v java) || fail "java is not on PATH"
mkdir -p "$cache/runs"
work=$(mktemp -d "$cache/runs/cli.XXXXXX")
trap 'rm -rf "$work"' EXIT
keep_on_failure()
{
    trap - EXIT
    echo "run-vm-cli-tests: kept $work for inspection" >&2
}

export NVMEQ_VM_WORK="$work/vm" NVMEQ_VM_KEEP=1 NVMEQ_VM_NVME=1 NVMEQ_VM_NAMESPACES=2
export NVMEQ_VM_DISK_SIZE=${NVMEQ_VM_DISK_SIZE:-64M}
# In the guest: each step's exit status goes to $NVMEQ_VM_RESULTS/<step>.status, its output beside it.
guest_command='java=$1; jar=$2
out=$NVMEQ_VM_RESULTS
bdf=$(awk '"'"'$2 == "vfio-pci" { print $1; exit }'"'"' "$out/nvme-functions")
[ -n "$bdf" ] || { echo "no NVMe function on vfio-pci"; exit 1; }
step()
{
    name=$1; shift
    echo "run-vm-cli-tests: in the guest: nvmeq $*"
    # Under TCG one host thread runs both vCPUs: bring-up takes longer than the 30 s default allows.
    "$java" -Djnr.ffi.x86asm.enabled=false -Dnvmeq.start-timeout=300s -Dnvmeq.queue-pairs=1 -jar "$jar" "$@" \
        > "$out/$name.out" 2> "$out/$name.err"
    echo $? > "$out/$name.status"
    cat "$out/$name.err"
}
step write2 write "nvme://$bdf/2" -s 0 -c 1 --pattern 0xCD
step contradiction write "nvme://$bdf/2" -n 1 -s 0 -c 1 --pattern 0xEE
step read2 read "nvme://$bdf/2" -s 0 -c 1 -d "$out/ns2-block0.bin"
step identify identify "nvme://$bdf/1" -o json
exit 0'
set +e
"$script_dir/run-in-vm.sh" -- sh -c "$guest_command" sh "$java_bin" "$jar"
status=$?
set -e
[ "$status" -eq 0 ] || { keep_on_failure; fail "the VM run failed (exit status $status)"; }

results="$work/vm/results"
expect_status()
{
    local got
    got=$(cat "$results/$1.status" 2> /dev/null || echo missing)
    [ "$got" = "$2" ] || { keep_on_failure; fail "nvmeq $1 in the guest exited $got, not $2: $(cat "$results/$1.err" 2> /dev/null)"; }
}
expect_status write2 0
expect_status contradiction 2
expect_status read2 0
expect_status identify 0
grep -q "of namespace 2" "$results/write2.err" || { keep_on_failure; fail "write did not say namespace 2: $(cat "$results/write2.err")"; }
grep -q "contradicts the device" "$results/contradiction.err" ||
    { keep_on_failure; fail "the contradicting -n was not refused as such: $(cat "$results/contradiction.err")"; }
grep -q '{"nsid":2,"id_ns":' "$results/identify.out" ||
    { keep_on_failure; fail "identify does not list namespace 2: $(cat "$results/identify.out")"; }

# From the host: which image changed. A block of 0xCD bytes is 512 'cd' pairs in hex.
block_hex() { dd if="$1" bs=512 count=1 status=none | od -An -v -tx1 | tr -d ' \n'; }
pattern=$(printf 'cd%.0s' $(seq 512))
zeroes=$(printf '00%.0s' $(seq 512))
[ "$(block_hex "$work/vm/nvme0-ns2.img")" = "$pattern" ] ||
    { keep_on_failure; fail "namespace 2's image nvme0-ns2.img does not hold 0xCD in block 0"; }
[ "$(block_hex "$work/vm/nvme0.img")" = "$zeroes" ] ||
    { keep_on_failure; fail "namespace 1's image nvme0.img was written: block 0 is not zero"; }
[ "$(block_hex "$results/ns2-block0.bin")" = "$pattern" ] ||
    { keep_on_failure; fail "the block read back from namespace 2 is not the pattern written"; }
echo "run-vm-cli-tests: namespace 2's image holds the 0xCD block the guest wrote, namespace 1's image is untouched"
echo "run-vm-cli-tests: passed in $(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
