#!/usr/bin/env bash
# Where a remote I/O's time goes, on loopback: `nvmeq serve` in one JVM, `nvmeq bench` on its remote:// URI in
# another (4 KiB random reads at depth QD), and once the ramp is over, for WINDOW seconds, both JVMs at once:
#   - each thread's voluntary and involuntary context switches per I/O and its share of a core (/proc/PID/task),
#     the count of sleeps and wake-ups a round trip costs;
#   - async-profiler (attached with jcmd, EVENT=cpu or alloc) into OUT-server.collapsed and OUT-bench.collapsed,
#     collapsed stacks with the thread at the root (flame graphs: async-profiler's converter, or any folded-stack tool).
# Usage: examples/profile-remote.sh QD [OUT] (JAR, EVENT, INTERVAL, RAMP, WINDOW, PORT in the environment). The
# profiler's library comes from tools.profiler:async-profiler:4.1 in the local Maven repository (fetch it with
# `mvn dependency:get -Dartifact=tools.profiler:async-profiler:4.1`), or from ASYNC_PROFILER_LIB.
set -euo pipefail
cd "$(dirname "$0")/.."
QD=${1:?usage: examples/profile-remote.sh QD [OUT]}
OUT=${2:-}
JAR=${JAR:-examples/target/nvmeq.jar}
EVENT=${EVENT:-cpu}
INTERVAL=${INTERVAL:-200us}
RAMP=${RAMP:-9}
WINDOW=${WINDOW:-4}
PORT=${PORT:-25652}
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"' EXIT

lib=${ASYNC_PROFILER_LIB:-}
if [[ -n $OUT && -z $lib ]]; then
    profiler_jar=${HOME}/.m2/repository/tools/profiler/async-profiler/4.1/async-profiler-4.1.jar
    if [[ ! -f $profiler_jar ]]; then
        echo "no $profiler_jar: mvn dependency:get -Dartifact=tools.profiler:async-profiler:4.1" >&2
        exit 1
    fi
    unzip -q -o "$profiler_jar" 'linux-x64/libasyncProfiler.so' -d "$work"
    lib=$work/linux-x64/libasyncProfiler.so
fi

java -jar "$JAR" serve --device 'emu:memory?size=256m&serial=PROFILEREMOTE' --bind "127.0.0.1:$PORT" --queue-pairs 1 \
    >"$work/serve.out" 2>"$work/serve.err" &
server=$!
for _ in $(seq 1 120); do grep -q '^remote://' "$work/serve.out" && break; sleep 0.5; done
uri=$(grep -m1 '^remote://' "$work/serve.out") || { cat "$work/serve.err"; exit 1; }
java -jar "$JAR" bench --device "$uri" --iodepth="$QD" --rw=randread --bs=4k --ramp_time="$((RAMP - 1))s" \
    --runtime="$((WINDOW + 3))s" --time_based --size=16m --output-format=json >"$work/bench.json" 2>"$work/bench.err" &
bench=$!

# One line per thread: PID/TID/name voluntary involuntary cpu-ticks
threads() {
    for pid in "$server" "$bench"; do
        for task in /proc/"$pid"/task/*; do
            echo "$pid/${task##*/}/$(tr ' ' _ <"$task/comm") $(awk '/^voluntary_ctxt/ {v = $2} /^nonvoluntary_ctxt/ {n = $2}
                END {print v, n}' "$task/status") $(awk '{print $14 + $15}' "$task/stat")"
        done
    done 2>/dev/null | sort
}
agent() { jcmd "$1" JVMTI.agent_load "$lib" "\"$2\"" >/dev/null; }

sleep "$RAMP"
if [[ -n $OUT ]]; then
    agent "$server" "start,event=$EVENT,interval=$INTERVAL,threads"
    agent "$bench" "start,event=$EVENT,interval=$INTERVAL,threads"
fi
threads >"$work/before"
sleep "$WINDOW"
threads >"$work/after"
if [[ -n $OUT ]]; then
    agent "$server" "stop,file=$(realpath -m "$OUT")-server.collapsed,collapsed"
    agent "$bench" "stop,file=$(realpath -m "$OUT")-bench.collapsed,collapsed"
fi
wait "$bench"
# The agent's own lines come before the report on the bench's stdout.
sed -n '/^{/,$p' "$work/bench.json" >"$work/report.json"
iops=$(jq '.jobs[0].read.iops' "$work/report.json")
p50=$(jq '.jobs[0].read.clat_ns.percentile["50.000000"] / 1000 | floor' "$work/report.json")
echo "QD$QD: $(printf '%.0f' "$iops") IOPS, p50 $p50 µs"
# Thread names are the kernel's first 15 characters; the tid matches the profile's "[name tid=N]" roots.
printf 'jvm\ttid\tthread\tsleeps_per_io\tpreemptions_per_io\tcore_share\n'
ticks=$(getconf CLK_TCK)
join <(cat "$work/before") <(cat "$work/after") | awk -v io="$iops" -v window="$WINDOW" -v server="$server" -v tick="$ticks" '{
    voluntary = $5 - $2; involuntary = $6 - $3; cpu = ($7 - $4) / tick / window
    if (cpu >= 0.01 || voluntary + involuntary > io * window / 100) {
        split($1, id, "/")
        printf "%s\t%s\t%s\t%.2f\t%.2f\t%.0f%%\n", id[1] == server ? "server" : "bench", id[2], id[3], voluntary / (io * window),
            involuntary / (io * window), 100 * cpu
    }
}'
