#!/usr/bin/env bash
# The completion modes (nvmeq.completion-mode: busy-poll, adaptive, interrupt) through VFIO against QEMU's
# NVMe controller in the test guest, where completions raise real MSI-X interrupts through the emulated
# IOMMU: at a light steady load (--rate_iops at QD1) the queue-pair thread's CPU and the p50/p99 latency,
# and at full load (QD32) the IOPS of each mode over busy-poll's. Prints one table.
#
#   nvme-hw/vm/run-vm-modes.sh          (from anywhere; settings as for run-in-vm.sh, and:)
#
#   NVMEQ_MODES_RUNTIME   measured seconds per run              (default 5)
#   NVMEQ_MODES_RATE      I/Os per second of the light load     (default 1000)
#   NVMEQ_MODES_JAVA_OPTS JVM options in the guest (default -XX:TieredStopAtLevel=1, as run-vm-bench.sh)
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$script_dir/../.." && pwd)
cache=${NVMEQ_VM_CACHE:-$HOME/.cache/nvmeq-vm}
runtime=${NVMEQ_MODES_RUNTIME:-5}
rate=${NVMEQ_MODES_RATE:-1000}
java_opts=${NVMEQ_MODES_JAVA_OPTS--XX:TieredStopAtLevel=1}
jar="$repo/examples/target/nvmeq.jar"

for value in $runtime $rate; do
    case "$value" in ''|*[!0-9]*) echo "run-vm-modes: runtime and rate must be whole numbers, not '$value'" >&2; exit 2 ;; esac
done
cd "$repo"
mkdir -p "$cache/runs"
echo "run-vm-modes: building examples/target/nvmeq.jar"
mvn -q -B package -DskipTests -pl examples -am > "$cache/modes-mvn.log" 2>&1 ||
    { cat "$cache/modes-mvn.log" >&2; echo "run-vm-modes: the build failed" >&2; exit 2; }
work=$(mktemp -d "$cache/runs/modes.XXXXXX")
trap 'rm -rf "$work"' EXIT
export NVMEQ_VM_WORK="$work/vm" NVMEQ_VM_KEEP=1
"$script_dir/run-in-vm.sh" -- sh "$script_dir/modes-in-guest.sh" "$jar" "$runtime" "$rate" "$java_opts" ||
    { echo "run-vm-modes: the runs in the guest failed" >&2; exit 2; }
python3 - "$work/vm/results/modes.tsv" "$rate" <<'PY'
import sys
rows = [line.split() for line in open(sys.argv[1]) if line.strip()]
full = {r[0]: r[2] for r in rows if r[1] == "qd32"}
def num(v):
    try: return float(v)
    except ValueError: return None
print()
print("VFIO in the test guest, 4 KiB random reads; light load = %s IOPS at QD1 (clients through the facade)" % sys.argv[2])
print("%-10s %10s %9s %9s %12s %8s %10s %9s | %11s %10s" % ("mode", "light IOPS", "p50 us", "p99 us",
      "thread CPU%", "sleeps", "interrupts", "spurious", "QD32 IOPS", "÷ busy-poll"))
base = num(full.get("busy-poll", "-"))
for r in rows:
    if r[1] == "qd32":
        continue
    qd32 = num(full.get(r[0], "-"))
    ratio = "%.2fx" % (qd32 / base) if qd32 and base else "-"
    print("%-10s %10s %9s %9s %12s %8s %10s %9s | %11s %10s" % (r[0], r[2], r[3], r[4], r[5], r[6], r[7], r[8],
          full.get(r[0], "-"), ratio))
PY
