#!/usr/bin/env bash
# Builds the four JVM start-up variants of lama-serve and measures their cold start, interleaved round by round so
# that load changes on the machine hit every variant alike:
#   jvm         full JDK, default fast-jar
#   jvm+aot     full JDK, aot-jar layout, AOT cache trained with the full JDK
#   jlink       the image's jlink runtime, fast-jar, no cache
#   jlink+aot   the image's configuration: jlink runtime, aot-jar, AOT cache trained with that runtime
# All use src/main/docker/jvm.options (paths rewritten to the work dir) and the test model from a pre-filled model
# cache (the cached-model path of a real deployment: URL + checksum, no download).
#
#   bench/coldstart/jvm-variants.sh [work-dir] [rounds]      (JAVA_HOME: a Temurin/OpenJDK 25 JDK)
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
work=$(mkdir -p "${1:-target/coldstart}" && cd "${1:-target/coldstart}" && pwd)
rounds=${2:-5}
jdk=${JAVA_HOME:?set JAVA_HOME to a Java 25 JDK}
model=$repo/src/test/resources/models/lama-fixture.onnx
sha=$(sha256sum "$model" | cut -d' ' -f1)

echo "== build: fast-jar and aot-jar"
mvn -B -ntp -q package -DskipTests
rm -rf "$work/fast" && cp -r target/quarkus-app "$work/fast"
mvn -B -ntp -q package -DskipTests -Dquarkus.package.jar.type=aot-jar
rm -rf "$work/aot" && cp -r target/quarkus-app "$work/aot"
for app in "$work/fast" "$work/aot"; do      # ONNX Runtime libraries pre-extracted, as in the image
  mkdir -p "$app/native/onnxruntime"
  (cd "$app/native/onnxruntime" && "$jdk/bin/jar" xf "$app"/lib/main/com.microsoft.onnxruntime.onnxruntime-*.jar \
     ai/onnxruntime/native/linux-x64 && mv ai/onnxruntime/native/linux-x64/* . && rm -rf ai)
done
sed "s#/deployments/native/onnxruntime#$work/aot/native/onnxruntime#; s#/tmp/javacpp#$work/javacpp#" \
  src/main/docker/jvm.options >"$work/jvm.options"

echo "== jlink runtime and AOT training runs"
src/main/docker/jlink-runtime.sh "$jdk" "$work/jre"
JAVA_ARGFILE=$work/jvm.options src/main/docker/aot-train.sh "$jdk/bin/java" "$work/aot" "$model" "$work/aot/app-jdk.aot"
JAVA_ARGFILE=$work/jvm.options src/main/docker/aot-train.sh "$work/jre/bin/java" "$work/aot" "$model" "$work/aot/app-jlink.aot"

mkdir -p "$work/cache" && cp "$model" "$work/cache/$sha.onnx"
export LAMA_MODEL_URL=http://127.0.0.1:9/lama-fixture.onnx LAMA_MODEL_SHA256=$sha LAMA_MODEL_CACHE_DIR=$work/cache \
       LAMA_ENGINE=onnxruntime
declare -A command=(
  [jvm]="$jdk/bin/java @$work/jvm.options -jar $work/fast/quarkus-run.jar"
  [jvm+aot]="$jdk/bin/java @$work/jvm.options -XX:AOTCache=$work/aot/app-jdk.aot -XX:AOTMode=on -jar $work/aot/quarkus-run.jar"
  [jlink]="$work/jre/bin/java @$work/jvm.options -jar $work/fast/quarkus-run.jar"
  [jlink+aot]="$work/jre/bin/java @$work/jvm.options -XX:AOTCache=$work/aot/app-jlink.aot -XX:AOTMode=on -jar $work/aot/quarkus-run.jar"
)
variants=(jvm jvm+aot jlink jlink+aot)
echo "== $rounds round(s); machine: $(nproc) CPU(s), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
: >"$work/runs.txt"
for round in $(seq 1 "$rounds"); do
  for variant in "${variants[@]}"; do
    # -XX:AOTMode=on makes the JVM refuse to start rather than silently run without the cache
    bench/coldstart/measure.sh -n 1 -l "$variant" --first-request src/main/docker/aot-training/small-320x240.json \
      -- ${command[$variant]} | tee -a "$work/runs.txt" | grep -v ' med '
  done
done
echo "== medians over $rounds round(s) (ms; phases after JVM start, probe_ready and ready_wall after launch)"
bench/coldstart/medians.py "$work/runs.txt"
