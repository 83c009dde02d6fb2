#!/usr/bin/env bash
# The test command: ./test.sh [extra dotnet test args, e.g. --filter "Category!=Browser"]
# Installs what the tests need (Debian packages) if missing, runs every test of WorkflowHost.sln on
# SQLite, then the server tests a second time on PostgreSQL (a private cluster the tests create), and
# ends with one line over both runs: "tests: N passed, M failed[, K skipped]".
# WORKFLOWHOST_TEST_POSTGRES=0 skips the PostgreSQL pass (a quicker local run; CI always runs it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

# Debian packages the tests use. Add one word to add one package (e.g. wrk).
# chromium: /usr/bin/chromium, driven by Microsoft.Playwright in the browser tests (no browser download).
APT_PACKAGES=(python3-aiosmtpd postgresql chromium)

RESULTS_DIR=artifacts/test-results

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# True when PKG is present and usable.
pkg_present() {
    case "$1" in
        python3-aiosmtpd) /usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1 ;;
        *) dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed' ;;
    esac
}

# Installs the missing ones of the given Debian packages, quietly; apt-get update only if needed.
ensure_packages() {
    local missing=() pkg
    for pkg in "$@"; do
        pkg_present "$pkg" || missing+=("$pkg")
    done
    ((${#missing[@]} == 0)) && return 0

    local sudo=()
    if ((EUID != 0)); then
        if command -v sudo >/dev/null 2>&1; then
            if [[ -t 0 ]]; then sudo=(sudo); else sudo=(sudo -n); fi
        else
            echo "test.sh: missing ${missing[*]}; not root and no sudo: install them by hand" >&2
            return 0
        fi
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "test.sh: missing ${missing[*]}; no apt-get here: install them by hand" >&2
        return 0
    fi

    echo "test.sh: installing ${missing[*]}"
    local log
    log="$(mktemp)"
    local apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -y -o DPkg::Lock::Timeout=300)
    if ! { "${apt[@]}" update && "${apt[@]}" install --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        rm -f "$log"
        echo "test.sh: could not install ${missing[*]}" >&2
        return 1
    fi
    rm -f "$log"
    for pkg in "${missing[@]}"; do
        pkg_present "$pkg" || { echo "test.sh: $pkg still unusable after install" >&2; return 1; }
    done
}

ensure_packages "${APT_PACKAGES[@]}"

rm -rf "$RESULTS_DIR"
mkdir -p "$RESULTS_DIR"

test_rc=0
dotnet test WorkflowHost.sln -c Release --logger "trx" --results-directory "$RESULTS_DIR" "$@" || test_rc=$?

# The PostgreSQL pass: the server tests again, each on a fresh database of one private PostgreSQL cluster
# (tests/WorkflowHost.Server.Tests/Infrastructure/TestDatabase.cs). Skipped there: tests that are SQLite by
# nature (Database=SqliteOnly), those that touch no database (Database=None), those already on PostgreSQL
# (Category=Postgres) and the browser tests (Chromium; slow).
PG_EXCLUDE='Category!=Browser&Category!=Postgres&Database!=SqliteOnly&Database!=None'
pg_args=()
pg_filter=""
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
    case "${args[i]}" in
        --filter) pg_filter="${args[i + 1]:-}"; i=$((i + 1)) ;;
        --filter=*) pg_filter="${args[i]#--filter=}" ;;
        *) pg_args+=("${args[i]}") ;;
    esac
done
if [[ -n "$pg_filter" ]]; then pg_filter="($pg_filter)&$PG_EXCLUDE"; else pg_filter="$PG_EXCLUDE"; fi

if [[ "${WORKFLOWHOST_TEST_POSTGRES:-1}" != "0" ]]; then
    pg_start=$SECONDS
    WORKFLOWHOST_TEST_DATABASE=postgres dotnet test tests/WorkflowHost.Server.Tests/WorkflowHost.Server.Tests.csproj -c Release --no-build \
        --logger "trx;LogFilePrefix=postgres" --results-directory "$RESULTS_DIR" --filter "$pg_filter" "${pg_args[@]}" || test_rc=$?
    echo "test.sh: the PostgreSQL pass took $((SECONDS - pg_start)) s"
fi

PY=python3
[[ -x /usr/bin/python3 ]] && PY=/usr/bin/python3

summary_rc=0
"$PY" - "$RESULTS_DIR" "$test_rc" <<'PYEOF' || summary_rc=$?
import glob, os, sys
import xml.etree.ElementTree as ET

results_dir, test_rc = sys.argv[1], int(sys.argv[2])
files = sorted(glob.glob(os.path.join(results_dir, "**", "*.trx"), recursive=True))

def local(tag):
    return tag.rsplit("}", 1)[-1]

passed = failed = skipped = 0
failed_names = []
bad_files = []
passes = {}
for path in files:
    label = "PostgreSQL pass (server tests)" if os.path.basename(path).startswith("postgres") else "SQLite (all projects)"
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        bad_files.append(f"{path}: {e}")
        continue
    counters = None
    for el in root.iter():
        if local(el.tag) == "Counters":
            counters = el
            break
    if counters is None:
        bad_files.append(f"{path}: no ResultSummary/Counters")
        continue
    c = lambda name: int(counters.get(name, "0") or 0)
    p, f, k = c("passed"), c("failed") + c("error") + c("timeout") + c("aborted") + c("passedButRunAborted"), c("notExecuted") + c("notRunnable") + c("inconclusive")
    passed, failed, skipped = passed + p, failed + f, skipped + k
    before = passes.get(label, (0, 0, 0))
    passes[label] = (before[0] + p, before[1] + f, before[2] + k)
    for el in root.iter():
        if local(el.tag) == "UnitTestResult" and el.get("outcome") not in ("Passed", "NotExecuted", "Inconclusive", None):
            failed_names.append(("[postgres] " if label.startswith("PostgreSQL") else "") + el.get("testName", "?"))

for msg in bad_files:
    print(f"test.sh: unreadable TRX {msg}", file=sys.stderr)
if failed_names:
    print("Failed tests:")
    for name in failed_names[:30]:
        print(f"  {name}")
    if len(failed_names) > 30:
        print(f"  … and {len(failed_names) - 30} more")
if not files:
    print(f"test.sh: no TRX file in {results_dir} (build failed or no test project ran)", file=sys.stderr)
elif passed == 0:
    print("test.sh: no test passed (none ran?)", file=sys.stderr)
if test_rc != 0:
    print(f"test.sh: dotnet test exited with {test_rc}", file=sys.stderr)

if len(passes) > 1:
    for label, (p, f, k) in sorted(passes.items(), reverse=True):
        print(f"  {label}: {p} passed, {f} failed" + (f", {k} skipped" if k else ""))
line = f"tests: {passed} passed, {failed} failed"
if skipped > 0:
    line += f", {skipped} skipped"
sys.stdout.flush()
sys.stderr.flush()
print(line, flush=True)
ok = test_rc == 0 and failed == 0 and files and not bad_files and passed > 0
sys.exit(0 if ok else 1)
PYEOF

if ((summary_rc != 0)); then
    exit 1
fi
exit 0
