#!/usr/bin/env bash
# Every test: the C++ suite (plain, ASan+UBSan, TSan) through ctest, then pytest, which
# also executes the notebooks and renders the HTML reports in headless Chromium; the docs are
# built into build/docs (Sphinx, warnings as errors). Installs whatever is missing first.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Chromium renders the HTML report in tests/python/test_report.py.
COMPLAB_EXTRA_DEBIAN_PACKAGES="chromium ${COMPLAB_EXTRA_DEBIAN_PACKAGES:-}"
source "$ROOT/scripts/bootstrap.sh"
cd "$ROOT"
JOBS="$(nproc)"

cpp_suite() {  # name, extra cmake args...
  local name="$1"; shift
  echo "=== C++ tests: $name"
  cmake -S "$ROOT" -B "$ROOT/build/cpp-$name" -DCOMPLAB_BUILD_TESTS=ON "$@" >/dev/null
  cmake --build "$ROOT/build/cpp-$name" -j "$JOBS"
  ctest --test-dir "$ROOT/build/cpp-$name" -j "$JOBS" --output-on-failure
}
cpp_suite release -DCMAKE_BUILD_TYPE=Release
# The sanitizer build keeps assert() (RelWithDebInfo's flags without -DNDEBUG).
UBSAN_OPTIONS=print_stacktrace=1 cpp_suite asan -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g" -DCOMPLAB_SANITIZE=address,undefined
# TSan needs a low-entropy address space layout on some kernels; setarch -R gives one.
TSAN_OPTIONS="halt_on_error=1" setarch "$(uname -m)" -R bash -c "$(declare -f cpp_suite); \
  ROOT='$ROOT' JOBS='$JOBS' cpp_suite tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCOMPLAB_SANITIZE=thread"

echo "=== The installed package imports from outside the source tree"
(cd /tmp && "$ROOT/.venv/bin/python" -c "import complab; print('complab', complab.__version__)")

echo "=== Lint: ruff (rules and formatting) and mypy"
"$ROOT/.venv/bin/ruff" check python tests bench docs/conf.py docs/api_summary.py docs/images
"$ROOT/.venv/bin/ruff" format --check python tests bench docs/conf.py docs/api_summary.py docs/images
"$ROOT/.venv/bin/mypy"

echo "=== Documentation (Sphinx, warnings as errors) into build/docs"
"$ROOT/.venv/bin/python" -m sphinx -W --keep-going -q -b html "$ROOT/docs" "$ROOT/build/docs"
echo "API reference: $ROOT/build/docs/api.html"

echo "=== Python tests (pytest, notebooks included)"
cd "$ROOT/tests/python"
"$ROOT/.venv/bin/python" -m pytest -q -p no:cacheprovider "$ROOT/tests/python" "$@"
