#!/usr/bin/env bash
# Creates (once) a Python virtual environment with exactly the slugifier of the
# earlier reader — python-slugify 8.0.4 with text-unidecode 1.3, both from PyPI —
# and prints the path of its interpreter. Used by gen_tables.py and the differential
# test. Usage: pyenv.sh DIR
set -euo pipefail
dir=${1:?usage: pyenv.sh DIR}
py=$dir/bin/python
want="python-slugify==8.0.4 text-unidecode==1.3"
if [[ ! -x $py ]] || [[ "$(cat "$dir/.pins" 2>/dev/null)" != "$want" ]]; then
  rm -rf "$dir"
  base=$(command -v python3.11 || command -v python3)
  "$base" -m venv "$dir" >&2
  # --no-deps: nothing else (in particular not the Unidecode package, which
  # python-slugify would prefer over text-unidecode) may come along.
  "$py" -m pip install -q --disable-pip-version-check --no-deps $want >&2
  echo "$want" >"$dir/.pins"
fi
echo "$py"
