#!/usr/bin/env bash
# The run command: ./run.sh [server args]   (no args = --demo)
# --demo: a Tuần Giáo plan instance on an accelerated clock; its emails are written to ./data/mail.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

mkdir -p data
if (($# == 0)); then
    set -- --demo
fi

# launchSettings.json would pick another port: skip it and listen where the banner says.
export ASPNETCORE_URLS="${ASPNETCORE_URLS:-http://127.0.0.1:5080}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

cat <<BANNER
WorkflowHost — $*
  web:  ${ASPNETCORE_URLS}
  mail: $(pwd)/data/mail, or data/demo/mail in demo mode  (one .eml file per message)
  stop: Ctrl+C
BANNER

exec dotnet run --project src/WorkflowHost.Server -c Release --no-launch-profile -- "$@"
