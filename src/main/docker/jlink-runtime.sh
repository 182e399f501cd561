#!/usr/bin/env bash
# Builds the trimmed Java 25 runtime that the JVM image ships, from a full JDK (jlink works from the JDK's own
# run-time image, JEP 493, so JDKs without jmods/ such as Temurin 25 work too).
#
#   src/main/docker/jlink-runtime.sh <jdk-home> <output-dir>
#
# Module choice (the app's jars are not modular, so jdeps only gives a starting point):
#   java.base, java.logging, java.xml, java.naming, java.sql, java.management, jdk.unsupported: Quarkus, Vert.x,
#       Netty, Jackson, SmallRye, Micrometer
#   jdk.zipfs      Quarkus opens its jars through the zip file system; without it startup fails with
#                  "Unable to find provider supporting jar scheme" (jdeps does not report it)
#   java.desktop   java.awt.image + javax.imageio: decoding and encoding the images
#   java.net.http  the model download (java.net.http.HttpClient)
#   jdk.management process CPU and memory figures in the JVM metrics
# --compress zip-0: the layer is compressed by the registry anyway, and an uncompressed lib/modules both packs
# smaller there and is read faster at startup than zip-9.
set -euo pipefail
jdk=${1:?usage: jlink-runtime.sh <jdk-home> <output-dir>}
out=${2:?usage: jlink-runtime.sh <jdk-home> <output-dir>}
modules=java.base,java.logging,java.xml,java.naming,java.sql,java.management,jdk.unsupported,jdk.zipfs,java.desktop,java.net.http,jdk.management
rm -rf "$out"
"$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress zip-0 \
  --output "$out"
echo "jlink: $(du -sh "$out" | cut -f1) in $out ($modules)"
