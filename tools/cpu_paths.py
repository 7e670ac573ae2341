"""Which CPU code paths this process gets: one line to put in a test log before a pass of `make test-cpus`.

PyTorch reads its settings once, at start-up, from the environment, so this script must be run with them set:

    MKL_CBWR=SSE4_2 ATEN_CPU_CAPABILITY=default python tools/cpu_paths.py

It prints the variables, then what the libraries say they do:

- MKL's conditional numerical reproducibility (CNR) mode, from `mkl_serv_cbwr_get` in libtorch_cpu.so (PyTorch links
  MKL statically): 1 is OFF (MKL_CBWR unset), 2 AUTO, 3 COMPATIBLE, 4 and up a code branch. On a CPU of another
  vendor MKL may run a branch it was asked for (SSE4_2, AVX2) as AUTO: it reports 2 then (and `MKL_VERBOSE=1` shows
  `CNR:AUTO`), which still changes its kernels.
- ATen's vectorised kernels: `torch.backends.cpu.get_cpu_capability()` (DEFAULT with ATEN_CPU_CAPABILITY=default).
- threadpoolctl's view of the thread pools that it can see (MKL, linked into PyTorch, is not one of them).
- oneDNN (PyTorch's convolutions): the instruction set it reports, and the implementation of a conv2d.
- fingerprints: hashes of the bits of a float32 GEMM (10 x 37 @ 37 x 29, MKL) on one thread and on PyTorch's
  threads, of a log_softmax (ATen's vectorised kernels) and of a conv2d (oneDNN), all of the same seeded inputs
  (exact in float32 whatever the code path), so that two passes whose hashes differ did run other code.

Exit status 1 if a setting that was asked for did not take effect: ATen's capability is not the one named by
ATEN_CPU_CAPABILITY, MKL still reports OFF (or a mode other than COMPATIBLE for MKL_CBWR=COMPATIBLE) when MKL_CBWR is
set, or oneDNN reports an instruction set above ONEDNN_MAX_CPU_ISA. Standard library, torch and threadpoolctl only.
"""
import ctypes
import hashlib
import os
import sys
import tempfile

import torch
from threadpoolctl import threadpool_info

VARIABLES = ("MKL_CBWR", "ATEN_CPU_CAPABILITY", "ONEDNN_MAX_CPU_ISA", "OMP_NUM_THREADS")
# MKL's MKL_CBWR_* constants (mkl_service.h)
MKL_MODES = {1: "OFF", 2: "AUTO", 3: "COMPATIBLE", 4: "SSE2", 5: "SSE3", 6: "SSSE3", 7: "SSE4_1", 8: "SSE4_2",
             9: "AVX", 10: "AVX2", 11: "AVX512_MIC", 12: "AVX512", 13: "AVX512_MIC_E1", 14: "AVX512_E1"}
# oneDNN's instruction sets from the lowest, as ONEDNN_MAX_CPU_ISA names them and as its verbose output does
ONEDNN_LEVELS = [("SSE41", "Intel SSE4.1"), ("AVX", "Intel AVX"), ("AVX2", "Intel AVX2"),
                 ("AVX512", "Intel AVX-512"), ("AVX10", "Intel AVX10"), ("AMX", "Intel AMX")]


def mkl_mode() -> int:
    "MKL's CNR mode as it reports it (MKL_CBWR_BRANCH = 1), or 0 if the library does not export it."
    library = ctypes.CDLL(os.path.join(os.path.dirname(torch.__file__), "lib", "libtorch_cpu.so"))
    try:
        get = library.mkl_serv_cbwr_get
    except AttributeError:
        return 0
    get.restype, get.argtypes = ctypes.c_int, [ctypes.c_int]
    return get(1)


def onednn_level(name: str) -> int:
    "Index in ONEDNN_LEVELS of an ONEDNN_MAX_CPU_ISA value or of a verbose `isa:` string (-1: unknown)."
    name = name.upper()
    for level in reversed(range(len(ONEDNN_LEVELS))):
        variable, verbose = ONEDNN_LEVELS[level]
        if name.startswith(variable) or name.startswith(verbose.upper()):
            return level
    return -1


def conv_with_onednn_log(input_, weight) -> tuple:
    "`(output, log)`: a conv2d and what oneDNN printed about it (it writes to file descriptor 1, not to sys.stdout)."
    sys.stdout.flush()
    saved = os.dup(1)
    with tempfile.TemporaryFile() as log:
        os.dup2(log.fileno(), 1)
        try:
            with torch.backends.mkldnn.verbose(torch.backends.mkldnn.VERBOSE_ON):
                output = torch.nn.functional.conv2d(input_, weight, padding=1)
        finally:
            sys.stdout.flush()
            os.dup2(saved, 1)
            os.close(saved)
        log.seek(0)
        return output, log.read().decode(errors="replace")


def exact_inputs(seed: int, *shape) -> torch.Tensor:
    "Seeded float32 numbers in [-1, 1) that do not depend on the code path (torch.randn does: ATen vectorises it)."
    return torch.randint(-(2**20), 2**20, shape, generator=torch.Generator().manual_seed(seed)).float() / 2**20


def fingerprint(tensor: torch.Tensor) -> str:
    return hashlib.sha256(tensor.contiguous().numpy().tobytes()).hexdigest()[:12]


def main() -> int:
    threads, pools = torch.get_num_threads(), threadpool_info()
    gemm = lambda: exact_inputs(0, 10, 37) @ exact_inputs(1, 37, 29)
    gemm_threads = gemm()  # MKL splits a GEMM between threads unless CNR holds it to one order
    torch.set_num_threads(1)  # the other fingerprints must not depend on how the work is split between threads
    gemm_1 = gemm()
    log_softmax = exact_inputs(4, 64, 64).mul(16).log_softmax(1)  # ATen's vectorised kernels
    conv, onednn_log = conv_with_onednn_log(exact_inputs(2, 2, 3, 16, 16), exact_inputs(3, 8, 3, 3, 3))
    isa = next((line.split("isa:", 1)[1].strip() for line in onednn_log.splitlines() if "isa:" in line), "?")
    conv_impl = next((line.split(",")[6] for line in onednn_log.splitlines() if ",exec,cpu,convolution," in line), "not oneDNN")

    env = {name: os.environ.get(name) for name in VARIABLES}
    mode, capability = mkl_mode(), torch.backends.cpu.get_cpu_capability()
    pools = " ".join(sorted(f"{pool['internal_api']}:{pool['prefix']}:{pool['num_threads']}" for pool in pools))
    print("cpu_paths:", " ".join(f"{name}={value if value is not None else '-'}" for name, value in env.items()),
          f"| MKL CNR mode {mode} ({MKL_MODES.get(mode, 'unknown')}) | ATen {capability} | oneDNN isa {isa}, conv {conv_impl}"
          f" | threadpoolctl {pools or 'none'} | fingerprints: gemm {fingerprint(gemm_1)} (1 thread)"
          f" {fingerprint(gemm_threads)} ({threads} threads, as set), log_softmax {fingerprint(log_softmax)}, conv {fingerprint(conv)}")

    errors = []
    if env["ATEN_CPU_CAPABILITY"] and capability != env["ATEN_CPU_CAPABILITY"].upper():
        errors.append(f"ATEN_CPU_CAPABILITY={env['ATEN_CPU_CAPABILITY']} but ATen runs {capability}")
    if env["MKL_CBWR"]:
        wanted = env["MKL_CBWR"].split(",")[0].strip().upper()
        if wanted not in MKL_MODES.values() or wanted == "OFF":
            errors.append(f"MKL_CBWR={env['MKL_CBWR']} is not a mode this script knows (MKL runs unknown values as AUTO)")
        elif mode == 0:
            errors.append("MKL_CBWR is set but this PyTorch's MKL does not report its mode (mkl_serv_cbwr_get)")
        elif mode == 1 or mode < 0:
            errors.append(f"MKL_CBWR={env['MKL_CBWR']} but MKL reports mode {mode} ({MKL_MODES.get(mode, 'error')})")
        elif wanted == "COMPATIBLE" and mode != 3:
            errors.append(f"MKL_CBWR=COMPATIBLE but MKL reports mode {mode} ({MKL_MODES.get(mode, 'unknown')})")
    if env["ONEDNN_MAX_CPU_ISA"] and env["ONEDNN_MAX_CPU_ISA"].upper() != "ALL":
        limit, level = onednn_level(env["ONEDNN_MAX_CPU_ISA"]), onednn_level(isa)
        if limit < 0:
            errors.append(f"ONEDNN_MAX_CPU_ISA={env['ONEDNN_MAX_CPU_ISA']} is not a value this script knows")
        elif level < 0 or level > limit:
            errors.append(f"ONEDNN_MAX_CPU_ISA={env['ONEDNN_MAX_CPU_ISA']} but oneDNN reports isa {isa!r}")
    for error in errors:
        print(f"cpu_paths: error: {error}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
