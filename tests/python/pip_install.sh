#!/usr/bin/env bash
# pip_install.sh — the README's install commands for the Python package, offline: a venv from
# Debian's python3 with the system site packages, `pip install --no-build-isolation ./python`,
# and `pip wheel` (ctest python:pip_install).
#
# Usage: pip_install.sh PYTHON SOURCE_DIR BUILD_DIR
#
# BUILD_DIR (this ctest build, configured with the module) is handed to python/setup.py as
# DUPSTRIP_CMAKE_BUILD_DIR, so that pip brings its module target up to date instead of compiling
# the engine a second time (a plain `pip install ./python` does the whole CMake build; the README
# says so). setuptools' build folder goes to a scratch folder: the source tree stays clean.
# Checks: the installed package is the venv's (not the build tree's), it cleans a few records,
# and the wheel holds the module, the stubs and py.typed.
set -euo pipefail

if [[ $# -ne 3 ]]; then
  echo "usage: pip_install.sh PYTHON SOURCE_DIR BUILD_DIR" >&2
  exit 1
fi
python=$1 src=$2 build=$3
work=$(mktemp -d "${TMPDIR:-/tmp}/dupstrip-pip.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
fail() { echo "FAIL pip_install: $*" >&2; exit 1; }

export DUPSTRIP_CMAKE_BUILD_DIR=$build DUPSTRIP_PY_BUILD_BASE=$work/setuptools PIP_NO_INDEX=1
export PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
unset PYTHONPATH

"$python" -m venv --system-site-packages "$work/venv"
"$work/venv/bin/pip" install -q --no-build-isolation "$src/python" || fail "pip install"
cd "$work"
"$work/venv/bin/python" - "$work/venv" <<'PY' || fail "the installed package does not work"
import os, sys
import dupstrip
where = os.path.realpath(dupstrip.__file__)
assert where.startswith(os.path.realpath(sys.argv[1])), where
results = list(dupstrip.clean(["alpha beta gamma delta"] * 2 + ["other words here"], keep_dropped=True))
assert [r.status for r in results] == ["kept", "dropped", "kept"], results
print(f"ok installed dupstrip {dupstrip.__version__} at {where}")
PY

"$work/venv/bin/pip" wheel -q --no-build-isolation --no-deps "$src/python" -w "$work/wheels" || fail "pip wheel"
wheels=("$work"/wheels/dupstrip-*.whl)
[[ ${#wheels[@]} -eq 1 && -f ${wheels[0]} ]] || fail "expected one wheel, got: ${wheels[*]}"
"$python" - "${wheels[0]}" <<'PY' || fail "the wheel lacks files"
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
for want in ("dupstrip/__init__.py", "dupstrip/py.typed", "dupstrip/_dupstrip.pyi"):
    assert want in names, (want, names)
assert any(n.startswith("dupstrip/_dupstrip.") and n.endswith(".so") for n in names), names
print(f"ok wheel {sys.argv[1].rsplit('/', 1)[-1]}: {len(names)} files")
PY
[[ ! -e $src/python/build && -z $(ls -d "$src"/python/*.egg-info 2>/dev/null) ]] || fail "pip wrote into the source tree"
