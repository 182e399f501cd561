#!/usr/bin/env bash
# Builds the benchmark jar when sources are newer than it, then runs it with the given arguments.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JAR="$BENCH_DIR/target/lama-serve-bench.jar"

if [[ -z "${JAVA_HOME:-}" && -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]]; then
    export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

if [[ ! -f "$JAR" || -n "$(find "$BENCH_DIR/src/main" "$BENCH_DIR/pom.xml" -newer "$JAR" -print -quit)" ]]; then
    echo "building $JAR" >&2
    mvn -B -q ${MAVEN_ARGS:-} -f "$BENCH_DIR/pom.xml" -DskipTests package >&2
fi

exec "$JAVA" -Djava.awt.headless=true ${BENCH_JAVA_OPTS:-} -jar "$JAR" "$@"
