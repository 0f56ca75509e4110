#!/usr/bin/env bash
# Benchmark peer: FHIR bulk-export NDJSON directory -> Delta Lake with Pathling 7.2.0's encoders,
# in its own JVM (Pathling's HAPI 7.6.1 must not meet the product's HAPI 8.8.1).
#
#   run.sh INPUT_DIR OUTPUT_DIR [MASTER [EXTRA_ARGS...]]   (MASTER defaults to local[2];
#          EXTRA_ARGS go to PathlingIngest, e.g. --verify-counts to also scan-count each table)
#
# stdout: exactly one JSON line (see PathlingIngest); everything else goes to stderr.
# Builds the project first if target/ has no jar or classpath file.
# Environment: JAVA (default: java on PATH, must be 17), PATHLING_PEER_XMX (default 8g),
# PATHLING_PEER_REBUILD=1 to force a rebuild.
set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 INPUT_DIR OUTPUT_DIR [MASTER [--verify-counts]]" >&2
  exit 2
fi
INPUT_DIR=$1
OUTPUT_DIR=$2
MASTER=${3:-local[2]}
shift $(( $# < 3 ? $# : 3 ))

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
POM="$HERE/pom.xml"
JAR="$HERE/target/pophealth-bench-pathling-0.1.0-SNAPSHOT.jar"
CP_FILE="$HERE/target/classpath.txt"
JAVA=${JAVA:-java}

if [[ ! -s "$JAR" || ! -s "$CP_FILE" || "${PATHLING_PEER_REBUILD:-0}" == 1 ]]; then
  echo "[pathling-peer] building $POM" >&2
  # all Maven output to stderr: stdout carries only the result line
  mvn -q -B -f "$POM" -DskipTests package \
      dependency:build-classpath -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=runtime 1>&2
fi

# Spark 3.5 on Java 17 (STACK.md pitfall 1): the flags spark-submit itself adds
JAVA_OPTS=(
  -XX:+IgnoreUnrecognizedVMOptions
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
  --add-opens=java.base/sun.security.action=ALL-UNNAMED
  --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
  -Djdk.reflect.useDirectMethodHandle=false
  "-Xmx${PATHLING_PEER_XMX:-8g}"
)

export SPARK_LOCAL_IP=127.0.0.1
# our jar first so its log4j2.properties (WARN, stderr) wins
exec "$JAVA" "${JAVA_OPTS[@]}" -cp "$JAR:$(cat "$CP_FILE")" \
  org.pophealth.bench.pathling.PathlingIngest \
  --input "$INPUT_DIR" --output "$OUTPUT_DIR" --master "$MASTER" "$@"
