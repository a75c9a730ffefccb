#!/usr/bin/env bash
# nvmeq through VFIO against the kernel's nvme driver, on two identical QEMU NVMe controllers in one guest
# (run-in-vm.sh with NVMEQ_VM_KERNEL_NVME=1): the same 4 KiB random-read job at each queue depth, for the
# same time, with no page cache on the kernel's side (O_DIRECT). Prints a table of IOPS per path and depth
# and the ratio nvmeq / kernel per cell.
#
#   nvme-hw/vm/run-vm-bench.sh          (from anywhere; settings as for run-in-vm.sh, and:)
#
#   NVMEQ_BENCH_DEPTHS   queue depths                               (default "1 4")
#   NVMEQ_BENCH_RUNTIME  measured seconds per job                   (default 10)
#   NVMEQ_BENCH_RAMP     unmeasured seconds before each job         (default 2)
#   NVMEQ_BENCH_ENGINES  nvmeq bench --engine values on the VFIO side, each optionally followed by
#                        :KEY=VALUE[,KEY=VALUE...], where client=WHERE is bench's --client (colocated, local
#                        or facade) and any other KEY the actor setting nvmeq.KEY (default "raw actors
#                        actors:completion-mode=busy-poll actors:client=local,completion-mode=busy-poll sync":
#                        the engine, the actors as configured by default, the actors polling without
#                        interrupts, told and called, and a plain thread owning its queue pair)
#   NVMEQ_VM_TIMEOUT     as for run-in-vm.sh; default here: room for every job under TCG (~40 min for the defaults)
#   NVMEQ_BENCH_BUILD    0: use examples/target/nvmeq.jar as it is, without building it first (default 1)
#   NVMEQ_BENCH_JAVA_OPTS JVM options of every Java run in the guest (default -XX:TieredStopAtLevel=1: the
#                        guest's vCPUs share one TCG host thread, and C2 compiling through the measured
#                        window took ~88% of a vCPU from the benchmark there; C1 alone is done within the ramp)
#
# The kernel's side: fio --direct=1 with --ioengine=psync --numjobs=QD and --ioengine=libaio --iodepth=QD
# when fio is installed on the host (the guest runs the host's root), and DirectReadBench (the JVM's
# O_DIRECT, one thread per outstanding read) always. The controllers are software-emulated under TCG:
# absolute numbers are far below hardware; the ratio is the point.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$script_dir/../.." && pwd)
cache=${NVMEQ_VM_CACHE:-$HOME/.cache/nvmeq-vm}
depths=${NVMEQ_BENCH_DEPTHS:-1 4}
runtime=${NVMEQ_BENCH_RUNTIME:-10}
ramp=${NVMEQ_BENCH_RAMP:-2}
engines=${NVMEQ_BENCH_ENGINES:-raw actors actors:completion-mode=busy-poll actors:client=local,completion-mode=busy-poll sync}
java_opts=${NVMEQ_BENCH_JAVA_OPTS--XX:TieredStopAtLevel=1}
jar="$repo/examples/target/nvmeq.jar"

fail()
{
    echo "run-vm-bench: $*" >&2
    exit 2
}

for item in $engines; do
    case "$item" in
        *[!A-Za-z0-9:=,.-]*|:*) fail "NVMEQ_BENCH_ENGINES: '$item' is not ENGINE[:KEY=VALUE,...]" ;;
    esac
done
for value in $depths $runtime $ramp; do
    case "$value" in ''|*[!0-9]*) fail "depths, runtime and ramp must be whole numbers, not '$value'" ;; esac
done
command -v fio > /dev/null || echo "run-vm-bench: fio is not installed (apt-get install -y fio): only the JVM's O_DIRECT reads measure the kernel" >&2
command -v python3 > /dev/null || fail "python3 is needed (the guest reads the JSON reports with it)"

cd "$repo"
if [ "${NVMEQ_BENCH_BUILD:-1}" = 1 ]; then
    echo "run-vm-bench: building examples/target/nvmeq.jar"
    mvn -q -B package -DskipTests -pl examples -am > "$cache/bench-mvn.log" 2>&1 ||
        { cat "$cache/bench-mvn.log" >&2; fail "the build failed"; }
fi
[ -s "$jar" ] || fail "no $jar after the build"

mkdir -p "$cache/runs"
work=$(mktemp -d "$cache/runs/bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
export NVMEQ_VM_WORK="$work/vm" NVMEQ_VM_KEEP=1 NVMEQ_VM_NVME=2 NVMEQ_VM_KERNEL_NVME=1
# Under TCG a JVM job takes ~90 s (start-up, layout, ramp, window) and a kernel job ~40 s: give QEMU room for
# them all unless NVMEQ_VM_TIMEOUT says otherwise.
jobs_per_depth=$(( $(echo $engines | wc -w) * 150 + 4 * 60 ))
export NVMEQ_VM_TIMEOUT=${NVMEQ_VM_TIMEOUT:-$(( 300 + $(echo $depths | wc -w) * (jobs_per_depth + 2 * runtime * 5) ))}
"$script_dir/run-in-vm.sh" -- sh "$script_dir/bench-in-guest.sh" "$jar" "$depths" "$runtime" "$ramp" "$engines" "$java_opts" ||
    fail "the benchmark in the guest failed"
results="$work/vm/results/bench.tsv"
[ -s "$results" ] || fail "the guest wrote no results"

# The table: a row per path, a column per depth; then each nvmeq row over each kernel row.
python3 - "$results" "$depths" <<'PY'
import sys
rows, order = {}, []
depths = sys.argv[2].split()
for line in open(sys.argv[1]):
    label, depth, iops, lat = line.split()
    if label not in rows:
        rows[label] = {}
        order.append(label)
    rows[label][depth] = (None if iops == "-" else float(iops), None if lat == "-" else float(lat))
def cell(value, fmt):
    return "-" if value is None else fmt % value
width = max(len(label) for label in order) + 2
print()
print("4 KiB random reads, IOPS (mean latency in us)")
print("path".ljust(width) + "".join(("QD%s" % d).rjust(20) for d in depths))
for label in order:
    print(label.ljust(width) + "".join(
        ("%s (%s)" % (cell(rows[label].get(d, (None, None))[0], "%.0f"),
                      cell(rows[label].get(d, (None, None))[1], "%.1f"))).rjust(20) for d in depths))
print()
print("ratio nvmeq / kernel (IOPS), per queue depth")
print("nvmeq vs kernel".ljust(width + 24) + "".join(("QD%s" % d).rjust(10) for d in depths))
for ours in [l for l in order if l.startswith("nvmeq-")]:
    for theirs in [l for l in order if l.startswith("kernel-")]:
        cells = []
        for d in depths:
            a, b = rows[ours].get(d, (None, None))[0], rows[theirs].get(d, (None, None))[0]
            cells.append("-" if not a or not b else "%.2fx" % (a / b))
        print(("%s / %s" % (ours, theirs)).ljust(width + 24) + "".join(c.rjust(10) for c in cells))
PY
