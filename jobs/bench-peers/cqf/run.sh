#!/usr/bin/env bash
# Independent measure evaluator (CQF clinical reasoning, cqf-fhir-cr 4.4.0) in its own JVM: builds this
# standalone module on first use, then runs org.pophealth.peer.CqfEvaluate with the given arguments.
set -euo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JAVA="${JAVA:-java}"
[[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]] && JAVA="$JAVA_HOME/bin/java"
if [[ ! -f "$DIR/target/classes/org/pophealth/peer/CqfEvaluate.class" || ! -s "$DIR/target/classpath.txt" \
      || -n "$(find "$DIR/src" "$DIR/pom.xml" -newer "$DIR/target/classpath.txt" -type f 2>/dev/null | head -1)" ]]; then
  echo "cqf peer: building (first use or sources changed)..." >&2
  (cd "$DIR" && mvn -q -B -Dstyle.color=never compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt >&2)
fi
exec "$JAVA" -Xmx"${CQF_HEAP:-4g}" -cp "$DIR/target/classes:$(cat "$DIR/target/classpath.txt")" org.pophealth.peer.CqfEvaluate "$@"
