#!/bin/sh
# The guest's half of run-vm-bench.sh (run there by run-in-vm.sh; not meant to be run by hand): the same
# 4 KiB random-read job at each queue depth on the controller bound to vfio-pci through nvmeq, and on the
# one the kernel's nvme driver owns through O_DIRECT reads of its block device (fio psync with
# numjobs=QD and fio libaio with iodepth=QD when fio is installed, and DirectReadBench, the JVM's
# O_DIRECT). Appends "PATH QD IOPS MEAN_LATENCY_US" lines to $NVMEQ_VM_RESULTS/bench.tsv; each job's own
# output goes to the console.
#
#   bench-in-guest.sh JAR DEPTHS RUNTIME_S RAMP_S ENGINES [JAVA_OPTS]
#
# ENGINES: nvmeq bench --engine values, each optionally followed by :KEY=VALUE[,KEY=VALUE...], where
# client=WHERE is bench's --client and any other KEY is the setting nvmeq.KEY (-Dnvmeq.KEY=VALUE), e.g.
# actors:client=local,completion-mode=busy-poll; the row is labelled nvmeq-ITEM.
set -u
jar=$1
depths=$2
runtime=$3
ramp=$4
engines=$5
java_opts=${6:-}
results=$NVMEQ_VM_RESULTS/bench.tsv
: > "$results"

vfio=$(awk '$2 == "vfio-pci" { print $1; exit }' "$NVMEQ_VM_RESULTS/nvme-functions")
kernel=$(awk '$2 == "nvme" { split($4, blocks, ","); print blocks[1]; exit }' "$NVMEQ_VM_RESULTS/nvme-functions")
[ -n "$vfio" ] || { echo "bench-in-guest: no controller on vfio-pci" >&2; exit 2; }
[ -n "$kernel" ] || { echo "bench-in-guest: no block device of the kernel's nvme driver" >&2; exit 2; }
echo "bench-in-guest: nvmeq on nvme://$vfio/1, the kernel on /dev/$kernel; 4 KiB random reads, QD $depths, ramp ${ramp}s, runtime ${runtime}s, JVM options: ${java_opts:-none}"
# The clock every System.nanoTime() reads: under TCG a clocksource other than tsc is an emulated device read.
echo "bench-in-guest: guest clocksource: $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2> /dev/null)"
java="java -Djnr.ffi.x86asm.enabled=false $java_opts"

# The mean and the IOPS of a JSON report with fio's field names (fio's own, and nvmeq bench's).
fio_numbers()
{
    python3 -c '
import json, sys
text = sys.stdin.read()
try:
    report = json.loads(text[text.index("{"):])
    read = report["jobs"][0]["read"]
    lat = read.get("lat_ns") or read.get("clat_ns") or {}
    print("%.0f %.1f" % (read["iops"], lat.get("mean", 0) / 1000.0))
except (ValueError, KeyError, IndexError) as ex:
    sys.stderr.write("bench-in-guest: no JSON report with jobs[0].read.iops: %r\n" % ex)'
}

# Where the guest's CPU went in nvmeq's measured window (nvmeq.threads_cpu_ns): under single-threaded TCG
# all vCPUs share one host thread, so any other busy guest thread (the JIT, a second poller) slows the
# queue pair's thread down.
thread_split()
{
    python3 -c '
import json, sys
text = sys.stdin.read()
try:
    job = json.loads(text[text.index("{"):])["jobs"][0]
    window = job["job_runtime"] * 1e6
    threads = job["nvmeq"].get("threads_cpu_ns", {})
    print("bench-in-guest: %s: CPU of the busiest guest threads over the window: %s" % (sys.argv[1],
        ", ".join("%s %.0f%%" % (name, ns * 100.0 / window) for name, ns in threads.items())))
    nvmeq = job["nvmeq"]
    print("bench-in-guest: %s: process CPU per I/O %.1f us, heap allocated per I/O %.0f B" % (sys.argv[1],
        nvmeq.get("cpu_ns_per_io", -1) / 1000.0, nvmeq.get("alloc_bytes_per_io", -1)))
    if "completion_mode" in nvmeq:
        print("bench-in-guest: %s: completion mode %s, sleeps %s, ended by an interrupt %s" % (sys.argv[1],
            nvmeq["completion_mode"], nvmeq.get("sleeps"), nvmeq.get("interrupts")))
except (ValueError, KeyError, IndexError, ZeroDivisionError) as ex:
    sys.stderr.write("bench-in-guest: no thread split: %r\n" % ex)' "$1"
}

# The MSI-X interrupts the vfio-pci function took while a job ran, for comparison with its I/Os: every
# second, the sum over the function's vectors (/sys/bus/pci/devices/BDF/msi_irqs, present while MSI-X is
# enabled) of their counts in /proc/stat's intr line (which, unlike /proc/interrupts, lists a vector also
# while no handler is attached to it). Shell builtins apart from sleep, so that it takes little guest CPU
# from the job. Writes "SECONDS_SEEN FIRST_SUM LAST_SUM" to $1 after each sample, and appends each vCPU's
# /proc/stat line (cpuN user nice system idle iowait irq softirq ...) to $1.cpu, a line per sample.
msix_sampler()
{
    out_file=$1
    dir=/sys/bus/pci/devices/$vfio/msi_irqs
    seen=0
    first=
    while :; do
        cpus=
        while read -r key rest; do
            case "$key" in
                cpu?*) cpus="$cpus $key $rest;" ;;
                intr) break ;;
            esac
        done < /proc/stat
        echo "$cpus" >> "$out_file.cpu"
        if [ -d "$dir" ]; then
            # shellcheck disable=SC2086
            set -- $rest
            sum=0
            vectors=0
            for irq_path in "$dir"/*; do
                irq=${irq_path##*/}
                case "$irq" in ''|*[!0-9]*) continue ;; esac   # an empty folder: MSI-X not enabled yet
                eval "count=\${$((irq + 2)):-0}"
                sum=$((sum + count))
                vectors=$((vectors + 1))
            done
            if [ "$vectors" -gt 0 ]; then
                [ -n "$first" ] || first=$sum
                seen=$((seen + 1))
                echo "$seen $first $sum" > "$out_file"
            fi
        fi
        sleep 1
    done
}

# How busy each vCPU was over the last RUNTIME seconds of msix_sampler's samples (about the measured window:
# the JVM reports and exits right after it): under single-threaded TCG both vCPUs share one host thread, so
# a second busy vCPU takes time from the first.
vcpu_report()
{
    python3 - "$1" "$2" "$3" <<'PY'
import sys
label, path, runtime = sys.argv[1], sys.argv[2], int(sys.argv[3])
try:
    samples = [line for line in open(path).read().splitlines() if line.strip()]
except OSError:
    samples = []
if len(samples) < 3:
    print("bench-in-guest: %s: too few vCPU samples" % label)
    sys.exit(0)
def parse(line):
    cpus = {}
    for part in line.split(";"):
        fields = part.split()
        if len(fields) >= 8:
            values = [int(v) for v in fields[1:8]]
            # busy = user + nice + system + irq + softirq, of all = busy + idle + iowait
            cpus[fields[0]] = (values[0] + values[1] + values[2] + values[5] + values[6], sum(values))
    return cpus
# The last sample may come after the JVM's report: drop it, then go RUNTIME seconds back from there.
end = len(samples) - 2
start = max(0, end - runtime)
a, b = parse(samples[start]), parse(samples[end])
print("bench-in-guest: %s: vCPUs busy over the last %d s of the job: %s" % (label, end - start, ", ".join(
    "%s %.0f%%" % (cpu, 100.0 * (b[cpu][0] - a[cpu][0]) / max(1, b[cpu][1] - a[cpu][1])) for cpu in sorted(b) if cpu in a)))
PY
}

# Prints what msix_sampler saw: the interrupts of the job beside its I/Os in the measured window.
msix_report()
{
    label=$1
    file=$2
    ios=$3
    if [ -s "$file" ]; then
        read -r seen first last < "$file"
        echo "bench-in-guest: $label: MSI-X interrupts of the vfio-pci function over the job (~${seen}s with MSI-X on, ramp and start-up included): $((last - first)); I/Os in the measured window: $ios"
    else
        echo "bench-in-guest: $label: MSI-X was not seen enabled (no interrupt count)"
    fi
}

record()
{
    label=$1
    depth=$2
    numbers=$3
    if [ -n "$numbers" ]; then
        echo "$label $depth $numbers" >> "$results"
        echo "bench-in-guest: $label QD$depth: iops, mean latency us: $numbers"
    else
        echo "bench-in-guest: $label QD$depth: no result" >&2
        echo "$label $depth - -" >> "$results"
    fi
}

has_bench=no
# (Not 'bench --help': picocli answers --help with the top level's help even after an unknown command.)
$java -jar "$jar" --help 2> /dev/null | grep -q '^ *bench ' && has_bench=yes
[ "$has_bench" = yes ] || echo "bench-in-guest: this nvmeq.jar has no 'bench' command: the nvmeq rows are skipped" >&2
has_fio=no
command -v fio > /dev/null 2>&1 && has_fio=yes
[ "$has_fio" = yes ] || echo "bench-in-guest: fio is not installed (apt-get install -y fio on the host): the fio rows are skipped" >&2

for depth in $depths; do
    if [ "$has_bench" = yes ]; then
        for item in $engines; do
            engine=${item%%:*}
            settings=
            client=
            if [ "$item" != "$engine" ]; then
                # ENGINE:KEY=VALUE,...: client=WHERE is bench's --client, any other key the setting nvmeq.KEY.
                old_ifs=$IFS
                IFS=,
                for pair in ${item#*:}; do
                    case "$pair" in
                        client=*) client="--client ${pair#client=}" ;;
                        ?*=?*) settings="$settings -Dnvmeq.$pair" ;;
                        *) echo "bench-in-guest: $item: '$pair' is not KEY=VALUE" >&2 ;;
                    esac
                done
                IFS=$old_ifs
            fi
            # --time_based, as the fio jobs: without it a job stops once it has read the whole namespace (fio's
            # size), which a fast path does within the window, and its threads are gone before their reading.
            msix_file=$NVMEQ_VM_RESULTS/msix-samples
            : > "$msix_file"
            : > "$msix_file.cpu"
            msix_sampler "$msix_file" &
            sampler=$!
            out=$($java $settings -jar "$jar" bench --device "nvme://$vfio/1" --rw randread --bs 4k --iodepth "$depth" \
                --time_based --runtime "${runtime}s" --ramp_time "${ramp}s" --engine "$engine" $client --eta never --output-format json)
            record "nvmeq-$item" "$depth" "$(echo "$out" | fio_numbers)"
            kill "$sampler" 2> /dev/null
            wait "$sampler" 2> /dev/null
            echo "$out" | thread_split "nvmeq-$item QD$depth"
            vcpu_report "nvmeq-$item QD$depth" "$msix_file.cpu" "$runtime"
            msix_report "nvmeq-$item QD$depth" "$msix_file" "$(echo "$out" | python3 -c '
import json, sys
text = sys.stdin.read()
try:
    print(json.loads(text[text.index("{"):])["jobs"][0]["read"]["total_ios"])
except (ValueError, KeyError, IndexError):
    print("?")')"
        done
    fi
    if [ "$has_fio" = yes ]; then
        out=$(fio --name=kernel-psync --filename="/dev/$kernel" --rw=randread --bs=4k --direct=1 --ioengine=psync \
            --numjobs="$depth" --group_reporting --time_based --runtime="$runtime" --ramp_time="$ramp" \
            --randseed=20170713 --output-format=json)
        record kernel-fio-psync "$depth" "$(echo "$out" | fio_numbers)"
        out=$(fio --name=kernel-libaio --filename="/dev/$kernel" --rw=randread --bs=4k --direct=1 --ioengine=libaio \
            --iodepth="$depth" --numjobs=1 --time_based --runtime="$runtime" --ramp_time="$ramp" \
            --randseed=20170713 --output-format=json)
        record kernel-fio-libaio "$depth" "$(echo "$out" | fio_numbers)"
    fi
    line=$($java -cp "$jar" io.nvmeq.examples.direct.DirectReadBench "/dev/$kernel" 4096 "$depth" "$runtime" "$ramp")
    echo "$line"
    record kernel-java-odirect "$depth" "$(echo "$line" | sed -n 's/.* iops=\([0-9]*\) .* mean=\([0-9.]*\) .*/\1 \2/p')"
done
