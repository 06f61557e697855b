#!/usr/bin/env bash
# The main job: install what is missing, then run the demo on the built-in default scenario,
# then the same on a company's own data: the sample company's history is loaded, calibrated,
# two plans are backtested on last year, and last year's forecast is validated.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/bootstrap.sh"
cd "$ROOT"
"$ROOT/.venv/bin/complab" demo "$@"
exec "$ROOT/.venv/bin/python" "$ROOT/scripts/company_demo.py"
