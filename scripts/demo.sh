#!/usr/bin/env bash
# The main job: install what is missing, then run the demo on the built-in default scenario.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/bootstrap.sh"
cd "$ROOT"
exec "$ROOT/.venv/bin/complab" demo "$@"
