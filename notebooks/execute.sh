#!/usr/bin/env bash
# Executes every notebook headless against $POPHEALTH_LAKEHOUSE (Debian's Jupyter, Python 3 kernel);
# executed copies go to ${1:-a temporary folder}. Fails when any cell of any notebook fails.
set -uo pipefail
cd "$(dirname "$0")"
: "${POPHEALTH_LAKEHOUSE:?set POPHEALTH_LAKEHOUSE to the lakehouse directory}"
out="${1:-$(mktemp -d)}"
mkdir -p "$out"
failed=0
passed=0
for nb in [0-9]*.ipynb; do
  start=$(date +%s)
  if jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=900 --output-dir "$out" "$nb" \
      >"$out/${nb%.ipynb}.log" 2>&1; then
    passed=$((passed + 1)); echo "notebook ok: $nb ($(( $(date +%s) - start )) s)"
  else
    failed=$((failed + 1)); echo "notebook FAILED: $nb"; grep -E "Error|error" "$out/${nb%.ipynb}.log" | tail -5
  fi
done
echo "notebooks: $passed executed cleanly, $failed with errors"
exit $(( failed > 0 ))
