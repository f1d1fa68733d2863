#!/usr/bin/env bash
# The GPU check of nn_from_scratch: run on a machine with an NVIDIA GPU and CuPy.
#
#   bash benchmarks/gpu_check.sh                  # every step, in order
#   bash benchmarks/gpu_check.sh info tests       # some steps (each may take minutes: split
#   bash benchmarks/gpu_check.sh train checkpoint bench   #  them over calls with a time limit)
#
# Steps:
#   info        nvidia-smi -L, Python, NumPy and CuPy versions, the device's name; stops
#               everything when nn_from_scratch cannot use CuPy (and says why)
#   tests       the whole pytest suite: the `backend` fixture runs every "cupy" case on the GPU;
#               fails if any of them was skipped
#   train       python -m nn_from_scratch train gan --backend cupy --epochs 1 --limit 2048
#   checkpoint  the GPU run's checkpoint loads on the CPU (numpy backend) and gives the same
#               samples as on the GPU
#   bench       python benchmarks/bench_speed.py --backend cupy --batch-sizes 64 256
#
# Everything is also appended to a log: $GPU_CHECK_LOG, else $OUT/gpu_check.log when $OUT
# is set, else gpu_check.log here.  Other settings (environment variables):
#   PYTHON    the interpreter (default python3)
#   DATA_DIR  MNIST IDX files for the training step (default: the first of
#             ../shared/data/mnist-10k, shared/data/mnist-10k, .device_carry/mnist-10k that exists;
#             with none, the MNIST-10k shipped with the package)
#   RUN_DIR   the training run folder (default /tmp/gpu_run)
#   PYTEST_ARGS  extra pytest arguments for the tests step, e.g. PYTEST_ARGS='-k cupy' runs only
#             the GPU cases (every test id with "cupy" in it) when time is short
# The exit code is 0 when every step run passed.

set -uo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
RUN_DIR=${RUN_DIR:-/tmp/gpu_run}
LOG=${GPU_CHECK_LOG:-${OUT:-.}/gpu_check.log}
export PYTHONUNBUFFERED=1 MPLBACKEND=Agg
mkdir -p "$(dirname "$LOG")"
exec > >(tee -a "$LOG") 2>&1

STEPS=("$@")
[ ${#STEPS[@]} -eq 0 ] && STEPS=(info tests train checkpoint bench)
FAILED=()
PASSED=()

section() { printf '\n==== %s  (%s)\n' "$1" "$(date -u +%Y-%m-%dT%H:%M:%SZ)"; }
record() {   # record STEP STATUS
    if [ "$2" -eq 0 ]; then PASSED+=("$1"); echo "---- $1: PASS"; else FAILED+=("$1"); echo "---- $1: FAIL ($2)"; fi
}

step_info() {
    section "info"
    nvidia-smi -L || echo "nvidia-smi -L failed"
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || true
    git log -1 --format='commit %H %cd' 2>/dev/null || true
    "$PYTHON" - <<'EOF'
import platform
import sys

import numpy

import nn_from_scratch as nf

print(f"python {platform.python_version()}, numpy {numpy.__version__}, nn_from_scratch {nf.__version__}")
reason = nf.backend.cupy_unavailable_reason()
if reason is not None:
    print(f"nn_from_scratch cannot use CuPy: {reason}")
    sys.exit(1)
import cupy  # noqa: E402  (usable: checked just above)

runtime = cupy.cuda.runtime
properties = runtime.getDeviceProperties(0)
name = properties["name"]
print(f"cupy {cupy.__version__}; device 0: {name.decode() if isinstance(name, bytes) else name}, "
      f"compute capability {properties['major']}.{properties['minor']}, "
      f"{properties['totalGlobalMem'] / 2**30:.1f} GiB; CUDA runtime {runtime.runtimeGetVersion()}, "
      f"driver {runtime.driverGetVersion()}")
nf.backend.use("cupy")
x = nf.Tensor([[1.0, 2.0]], requires_grad=True)
(x * x).sum().backward()
assert x.device == "cuda" and x.grad.get().tolist() == [[2.0, 4.0]], x.grad
print("a first op and its backward ran on the GPU")
EOF
}

step_tests() {
    section "tests"
    # -o addopts= : the project's addopts name pytest plugins (nbmake) that a GPU image may lack.
    local output status
    output=$(mktemp)
    # shellcheck disable=SC2086  # PYTEST_ARGS holds several arguments
    "$PYTHON" -m pytest tests -q -p no:cacheprovider -o addopts= -ra ${PYTEST_ARGS:-} 2>&1 | tee "$output"
    status=${PIPESTATUS[0]}
    if grep -q "CuPy backend not tested" "$output"; then
        echo "the 'cupy' cases were SKIPPED (see the reasons above): this was no GPU test"
        status=1
    fi
    rm -f "$output"
    return "$status"
}

data_arguments() {
    local candidate
    for candidate in "${DATA_DIR:-}" ../shared/data/mnist-10k shared/data/mnist-10k .device_carry/mnist-10k; do
        if [ -n "$candidate" ] && [ -f "$candidate/train-images-idx3-ubyte.gz" ]; then
            echo "--data-dir $candidate"
            return
        fi
    done
    echo "--dataset mnist-10k"
}

step_train() {
    section "train"
    local data
    data=$(data_arguments)
    echo "data: $data"
    rm -rf "$RUN_DIR"
    # shellcheck disable=SC2086  # $data holds several arguments
    time "$PYTHON" -m nn_from_scratch train gan --backend cupy --epochs 1 --limit 2048 $data --out "$RUN_DIR" &&
        ls -l "$RUN_DIR" && cat "$RUN_DIR/metrics.jsonl"
}

step_checkpoint() {
    section "checkpoint"
    [ -f "$RUN_DIR/checkpoint.npz" ] || { echo "no $RUN_DIR/checkpoint.npz: run the train step first"; return 1; }
    "$PYTHON" -m nn_from_scratch sample "$RUN_DIR" --backend numpy --n 16 --out "$RUN_DIR/sample_cpu.png" || return 1
    RUN_DIR="$RUN_DIR" "$PYTHON" - <<'EOF'
import os

import numpy as np

import nn_from_scratch as nf
from nn_from_scratch.models import Generator
from nn_from_scratch.training import load_checkpoint
from nn_from_scratch.training.config import TrainConfig

state = load_checkpoint(os.path.join(os.environ["RUN_DIR"], "checkpoint.npz"))
config = TrainConfig.from_json(state["config"])
weights = state["models"]["generator"]
noise = np.random.default_rng(0).standard_normal((16, config.latent_dim), dtype=np.float32)
samples = {}
for name in ("numpy", "cupy"):
    nf.backend.use(name)
    generator = Generator(config.latent_dim, config.num_classes)
    generator.load_state_dict(weights)
    generator.eval()
    assert all(p.device == ("cuda" if name == "cupy" else "cpu") for p in generator.parameters())
    labels = np.arange(16) % 10 if config.num_classes else None
    with nf.no_grad():
        samples[name] = generator.sample(nf.Tensor(noise), labels).numpy()
difference = float(np.abs(samples["numpy"] - samples["cupy"]).max())
print(f"the GPU-trained generator, loaded on the CPU and on the GPU: max |difference| of 16 samples {difference:.2e}")
assert difference < 1e-4, difference
EOF
}

step_bench() {
    section "bench"
    if [ ! -f benchmarks/bench_speed.py ]; then
        echo "benchmarks/bench_speed.py does not exist: nothing to run"
        return 0
    fi
    # DeZero has no GPU path (and is not on GPU images): --skip-dezero
    "$PYTHON" benchmarks/bench_speed.py --backend cupy --batch-sizes 64 256 --skip-dezero \
        --json "$(dirname "$LOG")/bench_cupy.json"
}

for step in "${STEPS[@]}"; do
    case "$step" in
        info|tests|train|checkpoint|bench) ;;
        *) echo "unknown step '$step': expected info, tests, train, checkpoint or bench"; exit 2 ;;
    esac
    "step_$step"
    status=$?
    record "$step" "$status"
    if [ "$step" = info ] && [ "$status" -ne 0 ]; then
        echo "stopping: without a usable GPU the other steps would test nothing"
        break
    fi
done

section "summary"
echo "passed: ${PASSED[*]:-none}"
echo "failed: ${FAILED[*]:-none}"
echo "log: $LOG"
[ ${#FAILED[@]} -eq 0 ]
