#!/usr/bin/env bash
# Builds DJL's PyTorch JNI library (libdjl_torch.so) with plain g++ against any libtorch whose
# headers and shared libraries are at hand, e.g. the ones inside a pip-installed torch
# (site-packages/torch/include and torch/lib). DJL publishes this library only for the PyTorch it
# pairs with (2.7.1 for DJL 0.35.1); this is how DJL 0.35.1 runs on another PyTorch.
#
# Usage: build-jni.sh JNI_SOURCES TORCH_INCLUDE TORCH_LIB OUT.so
#   JNI_SOURCES  the djl-jni folder prepare.sh writes: native/*.cc, include/ (DJL's utils.h, the
#                javac -h header of PyTorchLibrary, jni.h and jni_md.h)
#   TORCH_INCLUDE  folder with ATen/, c10/, torch/ (and torch/csrc/api/include)
#   TORCH_LIB      folder with libtorch.so, libtorch_cpu.so, libc10.so
# Environment: CXX (default g++), JOBS (default nproc), CXX11_ABI (default 1; pip wheels since
# torch 2.7 use the C++11 ABI; `python3 -c 'import torch; print(int(torch._C._GLIBCXX_USE_CXX11_ABI))'`).
#
# Built without DJL's USE_CUDA option, so no CUDA headers are needed: that drops only the body of
# torchCudaEmptyCache and the separate-CUDA-stream option of TorchScript inference, neither of
# which this project calls. CUDA itself still works: DJL loads libtorch_cuda.so before this library
# and the operators dispatch to it.
set -euo pipefail

[[ $# -eq 4 ]] || { sed -n '2,20p' "$0"; exit 2; }
src=$1 include=$2 lib=$3 out=$4
cxx=${CXX:-g++}
jobs=${JOBS:-$(nproc)}
abi=${CXX11_ABI:-1}

for f in "$src/include/ai_djl_pytorch_jni_PyTorchLibrary.h" "$src/include/jni.h" \
    "$include/ATen/ATen.h" "$include/torch/csrc/api/include/torch/torch.h" "$lib/libtorch_cpu.so"; do
  [[ -e $f ]] || { echo "build-jni: missing $f" >&2; exit 1; }
done

flags=(-std=c++17 -O2 -fPIC -DNDEBUG "-D_GLIBCXX_USE_CXX11_ABI=$abi" -w
  -I"$src/include" -I"$include" -I"$include/torch/csrc/api/include")
objects=$(mktemp -d)
trap 'rm -rf "$objects"' EXIT

echo "build-jni: $(ls "$src"/native/*.cc | wc -l) sources, $jobs at a time, $cxx $(${cxx} -dumpfullversion)"
started=$SECONDS
for source in "$src"/native/*.cc; do
  object="$objects/$(basename "${source%.cc}").o"
  ( "$cxx" "${flags[@]}" -c "$source" -o "$object" && echo "  compiled $(basename "$source")" ) &
  while (( $(jobs -rp | wc -l) >= jobs )); do wait -n || true; done
done
wait
missing=0
for source in "$src"/native/*.cc; do
  [[ -s "$objects/$(basename "${source%.cc}").o" ]] || { echo "build-jni: $source failed" >&2; missing=1; }
done
(( missing == 0 )) || exit 1

# -z defs: every symbol must resolve against these libraries now, not at System.load time. If one
# does not, say which and link anyway: DJL may never call the function that needs it.
link=("$cxx" -shared -o "$out" "$objects"/*.o -L"$lib" -Wl,--no-as-needed -ltorch -ltorch_cpu -lc10
  -Wl,-rpath,'$ORIGIN')
if ! "${link[@]}" -Wl,-z,defs 2> "$objects/link.log"; then
  echo "build-jni: WARNING: unresolved symbols against $lib:" >&2
  grep -o "undefined reference to .*" "$objects/link.log" | sort -u | head -20 >&2
  "${link[@]}"
fi
echo "build-jni: $out ($(nm -D --defined-only "$out" | grep -c ' T Java_') JNI functions) in $((SECONDS - started)) s"
