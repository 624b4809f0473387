#!/usr/bin/env bash
# The GPU check, run on a machine with a CUDA PyTorch in its python3 but no Java and no network,
# from the repository root, with the folder gpu/prepare.sh wrote carried along:
#
#   bash gpu/build/device-check.sh
#
# Stages; each is guarded, so a failure in a late one still leaves the earlier results in $OUT:
#   1. versions: GPU, driver, g++, nvcc, python3's torch (version, CUDA, C++ ABI, folders)
#   2. Java: unpack the jlink-ed runtime
#   3. JNI: build DJL 0.35.1's libdjl_torch.so against that torch (build-jni.sh), or reuse
#      prebuilt/libdjl_torch-<torch version>-<flavor>.so beside this script; the library goes to
#      $OUT under that name, for the next run's prebuilt/
#   4. DeviceBenchmark (model-lib) on $MODEL: CPU vs GPU parity, reviews/s in fp32 and fp16,
#      NarrowBERT vs BERT of the same weights -> $OUT/device.json
#   5. the same on random weights of the `base` preset (12 layers, 512 tokens, the shape of
#      `bench model`) -> $OUT/device-base.json
# Everything printed also goes to $OUT/check.log (few files: the device tool returns at most 8).
#
# Environment: OUT (default ./gpu-check-out), MODEL (default models/default), DEVICE (default gpu),
# BENCH_ARGS / BASE_ARGS (more DeviceBenchmark options for stage 4 / 5; BASE_ARGS=skip skips 5),
# WORK (scratch, default /tmp/narrowbert-gpu), JOBS (compilers at once, default nproc).
# For a rehearsal on a machine without python3's torch, name the libtorch instead: TORCH_INCLUDE,
# TORCH_LIB, TORCH_VERSION, TORCH_FLAVOR (cpu), CXX11_ABI; and DEVICE=cpu.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${OUT:-$PWD/gpu-check-out}"
work="${WORK:-/tmp/narrowbert-gpu}"
model="${MODEL:-models/default}"
device="${DEVICE:-gpu}"
djl_version=0.35.1
mkdir -p "$OUT" "$work"
log() { echo "[device-check +${SECONDS}s] $*"; }
fail() { log "FAILED: $*"; exit 1; }

main() {

# 1. Versions ---------------------------------------------------------------------------------
log "stage 1: versions"
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv
echo "g++: $(g++ --version 2>&1 | head -1)"
echo "nvcc: $(nvcc --version 2>&1 | tail -2 | head -1)"
echo "cpu: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
if [[ -z "${TORCH_LIB:-}" ]]; then
  python3 - > "$work/torch.env" <<'EOF' || fail "python3 has no torch"
import os, torch
root = os.path.dirname(torch.__file__)
cuda = torch.version.cuda or ""
print(f"TORCH_INCLUDE={root}/include")
print(f"TORCH_LIB={root}/lib")
print(f"TORCH_VERSION={torch.__version__.split('+')[0]}")
print(f"TORCH_FLAVOR={'cu' + cuda.replace('.', '') if cuda else 'cpu'}")
print(f"CXX11_ABI={int(torch._C._GLIBCXX_USE_CXX11_ABI)}")
print(f"SITE_PACKAGES={os.path.dirname(root)}")
print(f"# torch {torch.__version__}, CUDA {cuda}, cuDNN {torch.backends.cudnn.version()}, "
      f"GPU {torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'none'}")
EOF
  # shellcheck disable=SC1091
  source "$work/torch.env"
  cat "$work/torch.env"
fi
export TORCH_INCLUDE TORCH_LIB TORCH_VERSION TORCH_FLAVOR CXX11_ABI
echo "torch lib/: $(ls "$TORCH_LIB" | tr '\n' ' ')"

# 2. Java -------------------------------------------------------------------------------------
log "stage 2: Java runtime"
rm -rf "$work/jre" && tar -xzf "$here/jre.tar.gz" -C "$work" || fail "cannot unpack jre.tar.gz"
"$work/jre/bin/java" -version 2>&1 | head -1

# 3. JNI --------------------------------------------------------------------------------------
# DJL looks for the JNI library in its engine cache under <version>-<flavor>-<classifier>.
name="libdjl_torch-$TORCH_VERSION-$TORCH_FLAVOR.so"
jni_dir="$work/djl-cache/pytorch/$TORCH_VERSION-$TORCH_FLAVOR-linux-x86_64"
jni="$jni_dir/$djl_version-libdjl_torch.so"
mkdir -p "$jni_dir"
if [[ -s "$here/prebuilt/$name" ]]; then
  log "stage 3: JNI prebuilt/$name, not building"
  cp "$here/prebuilt/$name" "$jni"
else
  log "stage 3: building the JNI library against torch $TORCH_VERSION ($TORCH_FLAVOR)"
  bash "$here/build-jni.sh" "$here/djl-jni" "$TORCH_INCLUDE" "$TORCH_LIB" "$jni" \
    && [[ -s "$jni" ]] || fail "JNI build"
fi
cp "$jni" "$OUT/$name"

# 4, 5. The project's inference ---------------------------------------------------------------
# DJL counts GPUs through JNA's dlopen("libcudart.so"); pip's CUDA runtime has only .so.<major>.
mkdir -p "$work/cudart"
cudart="$(find "${SITE_PACKAGES:-/nonexistent}/nvidia" -name 'libcudart.so*' 2>/dev/null | sort | tail -1)"
[[ -n "$cudart" ]] && ln -sf "$cudart" "$work/cudart/libcudart.so"
export LD_LIBRARY_PATH="$work/cudart:$TORCH_LIB${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export PYTORCH_LIBRARY_PATH="$TORCH_LIB" PYTORCH_VERSION="$TORCH_VERSION" PYTORCH_FLAVOR="$TORCH_FLAVOR"
export ENGINE_CACHE_DIR="$work/djl-cache"
# Python-only and test libraries in a pip torch's lib/ that DJL need not load.
export PYTORCH_LIBRARY_EXCLUSION="libtorch_python.so,libshm.so,libtorchbind_test.so,libjitbackend_test.so,libbackend_with_compiler.so,libaoti_custom_ops.so"
bench() { # OUTPUT.json ARGS...
  local out=$1
  shift
  "$work/jre/bin/java" -Xmx8g -Djna.library.path="$work/cudart" -Djava.io.tmpdir="$work" \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=info -cp "$here/lib/*" \
    dev.narrowbert.bench.DeviceBenchmark --model "$model" --device "$device" --out "$out" "$@"
}
log "stage 4: DeviceBenchmark on $device with $model"
# shellcheck disable=SC2086
bench "$OUT/device.json" ${BENCH_ARGS:-} || fail "DeviceBenchmark on $model"
if [[ "${BASE_ARGS:-}" != skip ]]; then
  log "stage 5: DeviceBenchmark on $device with random weights of the base preset"
  # shellcheck disable=SC2086
  bench "$OUT/device-base.json" --preset base ${BASE_ARGS:---batch-sizes 8,32 --seconds 0.5} \
    || fail "DeviceBenchmark on the base preset"
fi
log "done"
}

main 2>&1 | tee -a "$OUT/check.log"
exit "${PIPESTATUS[0]}"
