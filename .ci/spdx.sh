#!/usr/bin/env bash
# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
# SPDX headers (https://spdx.dev/ids/): every source file of the repository
# says its licence and copyright holder in its first lines.
#   .ci/spdx.sh --check [FILE...]   list the files without the header; exit 1 if any
#   .ci/spdx.sh --apply [FILE...]   add the header where it is missing
# Without FILEs: every file git tracks that is source (C, headers, the .def
# tables, configure_file templates, Python, shell, CMake). Test data
# (tests/data/) and scenarios (their leading comment is copied into output
# files) are not source and carry no header.
set -euo pipefail
cd "$(dirname "$0")/.."
LICENSE_ID="MIT"
HOLDER="The Commonweal authors"
mode="${1:-}"
case "$mode" in
  --check|--apply) shift ;;
  *) echo "usage: $0 --check|--apply [FILE...]" >&2; exit 2 ;;
esac

if [ "$#" -gt 0 ]; then
  files=("$@")
else
  if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    list() { git ls-files -- '*.c' '*.h' '*.def' '*.in' '*.py' '*.sh' '*.cmake' \
               'CMakeLists.txt' '*/CMakeLists.txt' '.ci/run' '*.bash'; }
  else # a source tarball: the same patterns over the tree
    list() { find . -path ./.git -prune -o -path './build*' -prune -o -type f \( -name '*.[ch]' \
               -o -name '*.def' -o -name '*.in' -o -name '*.py' -o -name '*.sh' -o -name '*.cmake' \
               -o -name CMakeLists.txt -o -name '*.bash' -o -path ./.ci/run \) -print | sed 's|^\./||'; }
  fi
  mapfile -t files < <(list | grep -v '^tests/data/' | sort -u)
fi

comment_style() { # c or hash
  case "$1" in
    *.c|*.h|*.def|*.h.in) echo c ;;
    *) echo hash ;;
  esac
}

has_header() { # the identifier within the first 5 lines, and the holder
  head -n 5 "$1" | grep -q "SPDX-License-Identifier: ${LICENSE_ID}" &&
    head -n 5 "$1" | grep -q "SPDX-FileCopyrightText: ${HOLDER}"
}

apply() {
  local f="$1" tmp
  tmp="$(mktemp "${f}.spdx.XXXXXX")"
  if [ "$(comment_style "$f")" = c ]; then
    { printf '/* SPDX-FileCopyrightText: %s */\n/* SPDX-License-Identifier: %s */\n' "$HOLDER" "$LICENSE_ID"
      cat "$f"; } >"$tmp"
  else
    # after a shebang line, which must stay first
    { if head -n 1 "$f" | grep -q '^#!'; then head -n 1 "$f"; fi
      printf '# SPDX-FileCopyrightText: %s\n# SPDX-License-Identifier: %s\n' "$HOLDER" "$LICENSE_ID"
      if head -n 1 "$f" | grep -q '^#!'; then tail -n +2 "$f"; else cat "$f"; fi; } >"$tmp"
  fi
  chmod --reference="$f" "$tmp"
  mv "$tmp" "$f"
}

missing=0
for f in "${files[@]}"; do
  [ -f "$f" ] || continue
  if ! has_header "$f"; then
    if [ "$mode" = --apply ]; then
      apply "$f"; echo "added: $f"
    else
      echo "no SPDX header: $f"; missing=$((missing + 1))
    fi
  fi
done
if [ "$mode" = --check ]; then
  if [ "$missing" -gt 0 ]; then
    echo "$missing file(s) without an SPDX header; run .ci/spdx.sh --apply" >&2
    exit 1
  fi
  echo "SPDX headers: ${#files[@]} files checked, all present"
fi
