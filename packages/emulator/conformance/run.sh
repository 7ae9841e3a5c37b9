#!/usr/bin/env bash
# pnpm test:conformance [--report PATH]
# Comet's official Python SDK (comet_ml 3.58.8, in a venv under this directory) against the
# emulator CLI serving a generated dataset. Prints a table, writes a JSON report
# ({ passed, failed, results }), exits non-zero on any failure. Python is used only here.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
report="$here/report.json"
while [ $# -gt 0 ]; do
  case "$1" in
    --report) report="$2"; shift 2 ;;
    --report=*) report="${1#*=}"; shift ;;
    *) echo "test:conformance: unknown argument $1 (usage: --report PATH)" >&2; exit 2 ;;
  esac
done
case "$report" in /*) ;; *) report="$(pwd)/$report" ;; esac

venv="$here/.venv"
if ! "$venv/bin/python" -c 'import sys, comet_ml; sys.exit(0 if comet_ml.__version__ == "3.58.8" else 1)' >/dev/null 2>&1; then
  echo "conformance: creating $venv and installing comet_ml==3.58.8"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "comet_ml==3.58.8"
fi
exec node "$here/run.mjs" --python "$venv/bin/python" --report "$report"
