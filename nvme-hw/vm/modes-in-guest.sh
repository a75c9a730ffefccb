#!/bin/sh
# The guest's half of run-vm-modes.sh (run there by run-in-vm.sh; not meant to be run by hand): nvmeq bench
# through VFIO on the controller bound to vfio-pci, once per completion mode: a light steady load
# (--rate_iops at QD1, clients through the facade) and a full load (QD32). Appends one line per run to
# $NVMEQ_VM_RESULTS/modes.tsv: MODE LOAD IOPS P50_US P99_US QUEUE_THREAD_CPU_PCT SLEEPS INTERRUPTS SPURIOUS.
#
#   modes-in-guest.sh JAR RUNTIME_S RATE_IOPS [JAVA_OPTS]
set -u
jar=$1
runtime=$2
rate=$3
java_opts=${4:-}
results=$NVMEQ_VM_RESULTS/modes.tsv
: > "$results"

vfio=$(awk '$2 == "vfio-pci" { print $1; exit }' "$NVMEQ_VM_RESULTS/nvme-functions")
[ -n "$vfio" ] || { echo "modes-in-guest: no controller on vfio-pci" >&2; exit 2; }
java="java -Djnr.ffi.x86asm.enabled=false $java_opts"

numbers()
{
    python3 -c '
import json, sys
text = sys.stdin.read()
try:
    job = json.loads(text[text.index("{"):])["jobs"][0]
    read, ours = job["read"], job["nvmeq"]
    pct = read["clat_ns"].get("percentile", {})
    print("%.0f %.1f %.1f %.2f %d %d %d" % (read["iops"], pct.get("50.000000", 0) / 1000.0,
        pct.get("99.000000", 0) / 1000.0, ours.get("queue_thread_cpu_pct", -1), ours.get("sleeps", 0),
        ours.get("interrupts", 0), ours.get("spurious_wakeups", 0)))
except (ValueError, KeyError, IndexError) as ex:
    sys.stderr.write("modes-in-guest: no JSON report: %r\n" % ex)'
}

for mode in busy-poll adaptive interrupt; do
    out=$($java -Dnvmeq.completion-mode=$mode -jar "$jar" bench --device "nvme://$vfio/1" --rw randread --bs 4k \
        --iodepth 1 --rate_iops "$rate" --client facade --time_based --runtime "${runtime}s" --ramp_time 2s \
        --eta never --output-format json)
    line=$(echo "$out" | numbers)
    echo "modes-in-guest: $mode rate=$rate QD1: $line"
    echo "$mode rate$rate ${line:-- - - - - - -}" >> "$results"
    out=$($java -Dnvmeq.completion-mode=$mode -jar "$jar" bench --device "nvme://$vfio/1" --rw randread --bs 4k \
        --iodepth 32 --time_based --runtime "${runtime}s" --ramp_time 2s --eta never --output-format json)
    line=$(echo "$out" | numbers)
    echo "modes-in-guest: $mode QD32: $line"
    echo "$mode qd32 ${line:-- - - - - - -}" >> "$results"
done
