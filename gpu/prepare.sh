#!/usr/bin/env bash
# Prepares, on a developer machine with a JDK 17 and Maven, everything the GPU check needs on a
# machine that has a CUDA PyTorch in its Python but no Java, no Maven and no network:
#
#   OUT/jre.tar.gz        a jlink-ed Java 17 runtime with the modules the inference path needs
#   OUT/lib/*.jar         model-lib and its runtime dependencies, without PyTorch's natives or
#                         DJL's prebuilt JNI (built against 2.7.1 only) or the training-only jars
#   OUT/djl-jni/          DJL 0.35.1's PyTorch JNI sources, the javac -h header of PyTorchLibrary,
#                         DJL's utils.h, jni.h and jni_md.h: what build-jni.sh compiles
#   OUT/*.sh              build-jni.sh, device-check.sh and cpu-rehearsal.sh
#
# Usage: gpu/prepare.sh [OUT]  (default gpu/build, which git ignores)
# Environment: DJL_GIT  a clone of github.com/deepjavalibrary/djl (or its bare git directory) that
#                       has the tag v0.35.1; without it the tag is cloned from GitHub.
#              JAVA_HOME  the JDK 17 whose jlink, javac and include/ are used.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$(mkdir -p "${1:-$root/gpu/build}" && cd "${1:-$root/gpu/build}" && pwd)"
jdk="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}"
djl_tag=v0.35.1
# The inference path: no AWT (xchart is only for training charts), no SQL, no compiler.
modules=java.base,java.logging,java.management,jdk.unsupported

echo "prepare: into $out (JDK $jdk)"
rm -rf "$out/lib" "$out/djl-jni" "$out/jre.tar.gz"
mkdir -p "$out/lib" "$out/djl-jni/native" "$out/djl-jni/include/djl"

# 1. model-lib and its runtime classpath, with -Pgpu so PyTorch's CPU natives stay out.
mvn -q -f "$root/pom.xml" -Pgpu -pl model-lib -am package -DskipTests -Dspotless.check.skip=true
cp "$root"/model-lib/target/model-lib-*.jar "$out/lib/"
mvn -q -f "$root/pom.xml" -Pgpu -pl model-lib dependency:copy-dependencies \
  -DincludeScope=runtime -DoutputDirectory="$out/lib" \
  -DexcludeArtifactIds=pytorch-jni,xchart,pdfbox,pdfbox-io,fontbox,graphics2d,VectorGraphics2D,animated-gif-lib,progressbar,jline-terminal,jline-native,commons-logging,error_prone_annotations
# DJL logs through SLF4J; without a binding its "loading libtorch from ..." lines are lost.
mvn -q -f "$root/pom.xml" -pl model-lib dependency:copy \
  -Dartifact=org.slf4j:slf4j-simple:2.0.17 -DoutputDirectory="$out/lib"

# 2. A small Java runtime.
jre="$(mktemp -d)"
trap 'rm -rf "$jre"' EXIT
"$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
  --output "$jre/jre"
# Debian's libjvm.so keeps its symbols (24 MB); stripped it is 20 MB. Left uncompressed by jlink,
# the modules file gzips better: 15 MB in all.
strip --strip-unneeded "$jre/jre/lib/server/libjvm.so" 2>/dev/null || true
tar -C "$jre" -czf "$out/jre.tar.gz" jre

# 3. DJL's JNI sources at the tag the project pins, and the header javac -h makes of
#    PyTorchLibrary (the Java side of the JNI, from the pytorch-engine jar's own source).
if [[ -z "${DJL_GIT:-}" ]]; then
  DJL_GIT="$jre/djl"
  git clone -q --depth 1 --branch "$djl_tag" https://github.com/deepjavalibrary/djl "$DJL_GIT"
fi
git --git-dir="$( (cd "$DJL_GIT" && git rev-parse --absolute-git-dir) )" archive "$djl_tag" \
  engines/pytorch/pytorch-native/src/main/native api/src/main/native/djl/utils.h \
  engines/pytorch/pytorch-engine/src/main/java/ai/djl/pytorch/jni/PyTorchLibrary.java \
  | tar -x -C "$jre"
cp "$jre"/engines/pytorch/pytorch-native/src/main/native/*.cc \
  "$jre"/engines/pytorch/pytorch-native/src/main/native/*.h "$out/djl-jni/native/"
cp "$jre/api/src/main/native/djl/utils.h" "$out/djl-jni/include/djl/"
"$jdk/bin/javac" -h "$out/djl-jni/include" -d "$jre/classes" \
  -cp "$out/lib/api-0.35.1.jar:$out/lib/pytorch-engine-0.35.1.jar" \
  "$jre/engines/pytorch/pytorch-engine/src/main/java/ai/djl/pytorch/jni/PyTorchLibrary.java"
cp "$jdk/include/jni.h" "$jdk/include/linux/jni_md.h" "$out/djl-jni/include/"

# 4. The scripts that run there.
cp "$root"/gpu/*.sh "$out/"

echo "prepare: done: $(du -sh "$out" | cut -f1) in $out"
du -sh "$out"/* | sed 's/^/  /'
