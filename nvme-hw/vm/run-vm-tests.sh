#!/usr/bin/env bash
# The real-path tests: builds the nvme-hw and engine test classes on the host, boots the test VM
# (run-in-vm.sh) and runs the @Tag("vm") tests there with the JUnit console launcher against QEMU's NVMe
# controller through VFIO, then, in the same boot, prints what `nvmeq identify` says about that controller
# when examples/target/nvmeq.jar has been built (mvn package or verify), and checks on the host that the
# marker block the guest wrote is in the controller's raw image. Exits non-zero if anything fails.
#
#   nvme-hw/vm/run-vm-tests.sh            (from anywhere; settings as for run-in-vm.sh)
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$script_dir/../.." && pwd)
cache=${NVMEQ_VM_CACHE:-$HOME/.cache/nvmeq-vm}
junit_version=1.14.4
launcher="$HOME/.m2/repository/org/junit/platform/junit-platform-console-standalone/$junit_version/junit-platform-console-standalone-$junit_version.jar"

fail()
{
    echo "run-vm-tests: $*" >&2
    exit 2
}

started=$(date +%s.%N)
cd "$repo"
mkdir -p "$cache/runs"
work=$(mktemp -d "$cache/runs/tests.XXXXXX")
# Kept when something fails, for the JVM's hs_err file (results/) and the images.
trap 'rm -rf "$work"' EXIT
keep_on_failure()
{
    trap - EXIT
    echo "run-vm-tests: kept $work for inspection" >&2
}

# 1. Test classes and the test classpath, from the reactor (no install: nvme-hw resolves to its target/).
echo "run-vm-tests: building test classes"
mvn -q -B test-compile dependency:build-classpath -pl engine -am \
    -Dmdep.outputFile="$work/classpath.txt" -Dmdep.includeScope=test > "$work/mvn.log" 2>&1 ||
    { cat "$work/mvn.log" >&2; fail "the build failed"; }
[ -s "$work/classpath.txt" ] || fail "no classpath was written"
if [ ! -s "$launcher" ]; then
    mvn -q -B dependency:get -Dartifact="org.junit.platform:junit-platform-console-standalone:$junit_version" \
        > "$work/get.log" 2>&1 || { cat "$work/get.log" >&2; fail "cannot fetch the JUnit console launcher"; }
fi
# The launcher carries JUnit itself: the project's JUnit jars would register the Jupiter engine twice.
# nvme-hw and engine each have a logback-test.xml; the JVM below names one, or Logback prints pages of its
# own status about the duplicate.
classpath="$repo/engine/target/test-classes:$repo/engine/target/classes:$repo/nvme-hw/target/test-classes:$repo/nvme-hw/target/classes"
# read returns 1 at a missing final newline, which set -e would take for a failure.
IFS=: read -r -a entries < "$work/classpath.txt" || true
for entry in "${entries[@]}"; do
    case "$entry" in
        */org/junit/*|*/org/opentest4j/*|*/org/apiguardian/*) ;;
        *) classpath="$classpath:$entry" ;;
    esac
done
rm -f "$work/classpath.txt" "$work/mvn.log"

# 2. The VM: one controller, images kept for the check below.
java_bin=$(command -v java) || fail "java is not on PATH"
export NVMEQ_VM_WORK="$work/vm" NVMEQ_VM_KEEP=1 NVMEQ_VM_NVME=1
# After the tests, in the same guest: the command line's identify on the controller the tests used.
jar="$repo/examples/target/nvmeq.jar"
if [ -s "$jar" ]; then
    echo "run-vm-tests: the guest runs 'nvmeq identify' after the tests ($jar)"
else
    echo "run-vm-tests: no $jar (mvn package builds it): the guest skips 'nvmeq identify'"
    jar=
fi
guest_command='jar=$1; shift
"$@"; status=$?
if [ -n "$jar" ]; then
    bdf=$(awk '"'"'$2 == "vfio-pci" { print $1; exit }'"'"' "$NVMEQ_VM_RESULTS/nvme-functions")
    echo "run-vm-tests: in the guest: nvmeq identify --device nvme://$bdf/1"
    if ! "$1" -jar "$jar" identify --device "nvme://$bdf/1"; then
        echo "run-vm-tests: nvmeq identify failed in the guest"
        [ "$status" -ne 0 ] || status=1
    fi
fi
exit "$status"'
set +e
"$script_dir/run-in-vm.sh" -- sh -c "$guest_command" sh "$jar" "$java_bin" \
    -Djnr.ffi.x86asm.enabled=false -Dlogback.configurationFile="$repo/engine/target/test-classes/logback-test.xml" \
    -XX:ErrorFile="$work/vm/results/hs_err_%p.log" -jar "$launcher" execute --class-path "$classpath" \
    --select-class io.nvmeq.hw.vfio.VfioDeviceGuestTest --select-class io.nvmeq.engine.vfio.VfioGuestTest \
    --select-class io.nvmeq.engine.vfio.CompletionInterruptGuestTest \
    --include-engine junit-jupiter --include-tag vm --fail-if-no-tests --disable-banner --disable-ansi-colors --details=tree --details-theme=ascii
status=$?
set -e
[ "$status" -eq 0 ] || { keep_on_failure; fail "the tests or nvmeq identify in the VM failed (exit status $status)"; }

# 3. The marker the guest wrote through VFIO must be in the raw image on the host.
marker="$work/vm/results/marker"
[ -s "$marker" ] || fail "the guest wrote no marker ($marker)"
offset=$(sed -n 1p "$marker")
token=$(sed -n 2p "$marker")
found=$(dd if="$work/vm/nvme0.img" bs=512 skip=$((offset / 512)) count=1 status=none | tr -d '\000')
[ "$found" = "$token" ] || keep_on_failure
[ "$found" = "$token" ] || fail "the image holds '$found' at byte $offset, not the guest's '$token'"
echo "run-vm-tests: the host's image nvme0.img holds the guest's marker at byte $offset: '$token'"
echo "run-vm-tests: passed in $(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
