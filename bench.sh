#!/usr/bin/env bash
# The benchmarks of issue 7 (docs/benchmarks.md): installs what they need from Debian, builds in Release,
# runs `workflowhost bench` (P1 to P5, P1MEM = P1 over the in-memory store, start-up, idle memory, P1 growth) and the designer's cold-load
# browser test (P6), and prints every figure as a RESULT line. Arguments go to `workflowhost bench`,
# e.g. ./bench.sh --only P1,P2 --units 2000, or ./bench.sh --only P1 --in-memory. Output is also kept in artifacts/bench/.
set -euo pipefail
cd "$(dirname "$0")"

need=()
[ -x /usr/sbin/smtp-source ] || need+=(postfix)
[ -x /usr/bin/wrk ] || need+=(wrk)
/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || need+=(python3-aiosmtpd)
[ -x /usr/bin/chromium ] || need+=(chromium)
# P7 (validate + simulate of the example province plan) needs none of them.
[ "$*" = "--only P7" ] && need=()
if [ ${#need[@]} -gt 0 ]; then
  # postfix only for its smtp-source load generator: no mail system is configured or started.
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

mkdir -p artifacts/bench
out="artifacts/bench/bench-$(date -u +%Y%m%dT%H%M%SZ).txt"
dotnet build WorkflowHost.sln -c Release -nologo -v q -clp:ErrorsOnly
{
  echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  dotnet src/WorkflowHost.Cli/bin/Release/net10.0/workflowhost.dll bench "$@"
  if [ $# -eq 0 ] || [[ " $* " == *P6* ]]; then
    echo "## P6"
    dotnet test tests/WorkflowHost.Server.Tests -c Release --no-build \
      --filter "FullyQualifiedName~DesignerEditorTests.Editor_ColdLoad_DrawsTheTuanGiaoActivities" \
      --logger "console;verbosity=detailed" 2>&1 \
      | sed -n 's/.*first \/elsa\/api request at \([0-9]*\) ms, first node drawn at \([0-9]*\) ms.*; \([0-9]*\) requests, \([0-9.]*\) MiB transferred.*/RESULT P6 first_api_ms=\1 first_node_ms=\2 requests=\3 transferred_mib=\4/p'
  fi
  if [ $# -eq 0 ] || [[ " $* " == *P7* ]]; then
    # P7 (issue 14): validate + simulate of a 60-unit, 4-year plan (the example province plan, 2023-2026, on the
    # working-day calendar, durable SQLite as the README's command), two CLI processes as a secretariat runs them.
    echo "## P7"
    cli=src/WorkflowHost.Cli/bin/Release/net10.0/workflowhost.dll
    rm -rf artifacts/bench/p7
    start=$(date +%s.%N)
    /usr/bin/time -f "validate: %e s wall, %M KB max RSS" dotnet "$cli" validate workflows/examples/tinh-mau-2023-2026.json
    /usr/bin/time -f "simulate: %e s wall, %M KB max RSS" dotnet "$cli" simulate workflows/examples/tinh-mau-2023-2026.json \
      --units config/units/tinh-mau.json --scenario config/scenarios/tinh-mau-typical.json --out artifacts/bench/p7 | tail -n 2
    end=$(date +%s.%N)
    echo "RESULT P7 units=60 years=4 tasks=$(($(wc -l < artifacts/bench/p7/tasks.csv) - 1)) validate_simulate_s=$(echo "$end - $start" | bc) target_s=10 load=$(cut -d' ' -f1 /proc/loadavg)"
  fi
} 2>&1 | tee "$out"
echo "(kept in $out)"
