#!/usr/bin/env bash
# Installs whatever is missing on a fresh Debian machine: the C++ toolchain and -dev
# packages with apt-get, then a virtual environment in .venv with complab built into it.
# Sourced by demo.sh and test.sh; safe to run again (it only installs what is absent).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

debian_packages=(g++ cmake make python3-venv libeigen3-dev libboost-dev libgtest-dev)
# Callers may ask for more (test.sh: a headless browser for the report tests).
debian_packages+=(${COMPLAB_EXTRA_DEBIAN_PACKAGES:-})
missing=()
for pkg in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# cmake and python venv may come from elsewhere (pyenv, pip); only ask apt when absent.
if command -v cmake >/dev/null 2>&1; then missing=("${missing[@]/cmake}"); fi
if python3 -c "import venv, ensurepip" >/dev/null 2>&1; then missing=("${missing[@]/python3-venv}"); fi
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))
if ((${#missing[@]})); then
  echo "complab: installing Debian packages: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

VENV="$ROOT/.venv"
if [ ! -x "$VENV/bin/python" ]; then
  echo "complab: creating virtual environment in $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip
fi
echo "complab: building and installing the package into $VENV"
"$VENV/bin/python" -m pip install -q "$ROOT[${COMPLAB_EXTRAS:-test}]"
