#!/usr/bin/env bash
# Remote ÷ local on loopback, one run: `nvmeq serve` in one JVM, `nvmeq bench` on its remote:// URI in another,
# alternating with the same job on the same kind of device opened locally (the facade client, which like a
# remote client sits outside the actor system), at QD1 and QD32, ROUNDS rounds. Prints one line per run:
# IOPS, completion-latency p50/p99, CPU per I/O of the bench JVM (its report) and, for remote runs, of the server
# JVM: its /proc/PID/stat CPU time between the bench's first and last status lines (inside the measured window,
# after the layout and the ramp) over the I/Os in that time. Each run ramps RAMP first (not measured, both sides
# alike): a fresh cluster node compiles Akka's remoting and cluster code for seconds after it starts (the JIT's
# compiler threads were still the busiest of each JVM 4 s in), and with a short ramp the remote figures are the
# JIT's: at QD1 a 2 s ramp gave half the IOPS of a 10 s one and ten times its p99. Usage:
# examples/bench-remote.sh [ROUNDS] (JAR, RUNTIME, RAMP, PORT, and DEPTHS, default "1 32", in the environment).
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=${JAR:-examples/target/nvmeq.jar}
RUNTIME=${RUNTIME:-5s}
RAMP=${RAMP:-8s}
ROUNDS=${1:-2}
DEPTHS=${DEPTHS:-1 32}
PORT=${PORT:-25651}
DEVICE='emu:memory?size=256m&serial=BENCHREMOTE'
JOB=(--rw=randread --bs=4k --runtime="$RUNTIME" --ramp_time="$RAMP" --time_based --size=16m --output-format=json --eta=always)
TICK_NS=$((1000000000 / $(getconf CLK_TCK)))
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"' EXIT

java -jar "$JAR" serve --device "$DEVICE" --bind "127.0.0.1:$PORT" --queue-pairs 1 >"$work/serve.out" 2>"$work/serve.err" &
server=$!
for _ in $(seq 1 120); do grep -q '^remote://' "$work/serve.out" && break; sleep 0.5; done
uri=$(grep -m1 '^remote://' "$work/serve.out") || { cat "$work/serve.err"; exit 1; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# side qd json [server-ns]
report() {
    jq -r --arg side "$1" --arg qd "$2" --arg server "${4:-}" '.jobs[0] as $j |
        ($j.read.total_ios) as $n | ($j.job_runtime * 1000000) as $ns |
        [$side, "QD" + $qd, ($j.read.iops | floor),
         (($j.read.clat_ns.percentile["50.000000"] // 0) / 1000 | floor),
         (($j.read.clat_ns.percentile["99.000000"] // 0) / 1000 | floor),
         (($j.usr_cpu + $j.sys_cpu) / 100 * $ns / $n / 1000 | . * 10 | floor / 10),
         (if $server == "" then "-" else ($server | tonumber) / 1000 | . * 10 | floor / 10 end)]
        | @tsv' "$3"
}

printf 'side\tdepth\tIOPS\tp50_us\tp99_us\tclient_cpu_us_per_io\tserver_cpu_us_per_io\n'
for round in $(seq 1 "$ROUNDS"); do
    for qd in $DEPTHS; do
        java -jar "$JAR" bench --device "emu:memory?size=256m" --client=facade --iodepth="$qd" "${JOB[@]}" \
            >"$work/local.json" 2>/dev/null
        report local "$qd" "$work/local.json"
        : >"$work/samples"
        { java -jar "$JAR" bench --device "$uri" --iodepth="$qd" "${JOB[@]}" 2>&1 1>&3 | while IFS= read -r line; do
            if [[ $line == Jobs:*"[run "* ]]; then echo "$(date +%s%N) $(cpu_ticks "$server")" >>"$work/samples"; fi
          done; } 3>"$work/remote.json"
        read -r t0 c0 < <(head -1 "$work/samples")
        read -r t1 c1 < <(tail -1 "$work/samples")
        iops=$(jq '.jobs[0].read.iops' "$work/remote.json")
        server_ns=$(awk -v c="$((c1 - c0))" -v tick="$TICK_NS" -v dt="$((t1 - t0))" -v iops="$iops" \
            'BEGIN { if (dt <= 0) print ""; else printf "%d", c * tick / (iops * dt / 1e9) }')
        report remote "$qd" "$work/remote.json" "$server_ns"
    done
done
