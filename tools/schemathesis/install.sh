#!/usr/bin/env bash
# Installs schemathesis, at the version requirements.txt pins, into a virtual environment under
# .cache/schemathesis (git-ignored). Idempotent: a matching installation is kept. Prints the path
# of the `st` command. Needs python3 with venv and pip, and PyPI.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$root/.cache/schemathesis/venv"
stamp="$venv/.requirements"

if [ -x "$venv/bin/st" ] && [ -f "$stamp" ] && cmp -s "$stamp" "$here/requirements.txt"; then
  echo "$venv/bin/st"
  exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
  echo "schemathesis: python3 is required (Debian: apt-get install python3 python3-venv)" >&2
  exit 1
fi
rm -rf "$venv"
mkdir -p "$(dirname "$venv")"
python3 -m venv "$venv" >&2
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt" >&2
cp "$here/requirements.txt" "$stamp"
echo "$venv/bin/st"
