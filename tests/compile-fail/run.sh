#!/usr/bin/env bash
# Proof of the compile-time guarantee: an `await` while holding a SpinLock or an UnfairSpinLock does
# not compile. Type-checks each file here as a client of LichenCore and asserts that
#   await_in_spinlock.swift and await_in_unfair_spinlock.swift are rejected, each with the
#                           diagnostic about an async closure passed where a synchronous one is
#                           expected (and no other error), and
#   spinlock_ok.swift       (both locks, used correctly) is accepted.
# Host: against a LichenCore module emitted into a temporary directory from Sources/LichenCore/Sync
# (self-contained, and seconds instead of a minute for the whole library).
# Embedded: also against the kernel's modules in $1 (default build/modules), when they are built
# (LichenCore.swiftmodule and our _Concurrency.swiftmodule), with the Embedded target flags.
set -uo pipefail
cd "$(dirname "$0")/../.."
SWIFTC=${SWIFTC:-swiftc}
EMBEDDED_MODULES=${1:-build/modules}
DIR=tests/compile-fail
REJECT=(await_in_spinlock.swift await_in_unfair_spinlock.swift)
ACCEPT=(spinlock_ok.swift)
# swiftc's wording for an async closure given to a synchronous parameter (inferred async), or
# for an await inside a closure explicitly declared synchronous.
EXPECTED="expecting synchronous function type|'async' call in a function that does not support concurrency"

passed=0 failed=0
check() {  # check <mode> <file> <reject|accept> <swiftc args...>
    local mode=$1 file=$2 want=$3; shift 3
    local out rc
    out=$("$SWIFTC" -typecheck -parse-as-library "$@" "$DIR/$file" 2>&1); rc=$?
    local errors; errors=$(grep -Ec '^[^ ].*error:' <<<"$out")
    if [[ $want == accept && $rc == 0 ]]; then
        echo "PASS compile-fail ($mode): $file compiles"; passed=$((passed + 1))
    elif [[ $want == reject && $rc != 0 && $errors == 1 ]] && grep -Eq "error: .*($EXPECTED)" <<<"$out"; then
        echo "PASS compile-fail ($mode): $file rejected: $(grep -m1 -o 'error: .*' <<<"$out")"
        passed=$((passed + 1))
    else
        echo "FAIL compile-fail ($mode): $file should be ${want}ed (rc=$rc, $errors errors)"
        sed 's/^/    /' <<<"$out" | head -30
        failed=$((failed + 1))
    fi
}

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mapfile -t core < <(find Sources/LichenCore/Sync -name '*.swift' | sort)
if "$SWIFTC" -emit-module -parse-as-library -module-name LichenCore \
        -emit-module-path "$tmp/LichenCore.swiftmodule" "${core[@]}" >"$tmp/log" 2>&1; then
    for f in "${REJECT[@]}"; do check host "$f" reject -I "$tmp"; done
    for f in "${ACCEPT[@]}"; do check host "$f" accept -I "$tmp"; done
else
    echo "FAIL compile-fail (host): LichenCore does not build"; sed 's/^/    /' "$tmp/log" | head -30
    failed=$((failed + 1))
fi

if [[ -f $EMBEDDED_MODULES/LichenCore.swiftmodule && -f $EMBEDDED_MODULES/_Concurrency.swiftmodule ]]; then
    emb=(-target aarch64-none-none-elf -enable-experimental-feature Embedded -I "$EMBEDDED_MODULES")
    for f in "${REJECT[@]}"; do check embedded "$f" reject "${emb[@]}"; done
    for f in "${ACCEPT[@]}"; do check embedded "$f" accept "${emb[@]}"; done
else
    echo "SKIP compile-fail (embedded): no LichenCore/_Concurrency modules in $EMBEDDED_MODULES"
fi

echo "compile-fail: $passed passed, $failed failed"
[[ $failed == 0 ]]
