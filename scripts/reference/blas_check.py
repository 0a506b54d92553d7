"""Which BLAS the running torch uses, a refusal to measure against the reference one, and glibc malloc settings that
let PyTorch run at its best.

Debian's python3-torch links the generic `libblas.so.3`, which the alternatives system points at whichever BLAS is
installed: the reference (netlib) BLAS by default, OpenBLAS once `libopenblas0-pthread` is installed. On this project's
machine that choice moved torch's train step from ~80 ms to ~820 ms, so a side-by-side ratio against a torch without
OpenBLAS would be meaningless. The reference scripts call `require_fast_blas()` before measuring and print `blas_library()`
with their results. Install OpenBLAS with: apt-get install -y libopenblas0-pthread

`fast_malloc()`: torch's CPU allocator takes every large buffer from glibc, which maps and unmaps buffers above its
mmap threshold on each use and trims freed memory back to the OS, so every step pays page faults. Measured here:
a train step of the reference model in a loop that frees the loss each step took 95-142 ms (1 thread), and 41-46 ms
with MALLOC_MMAP_THRESHOLD_ / MALLOC_TRIM_THRESHOLD_ set high. glibc reads them at start-up, so the scripts re-exec
themselves with both set (unless already set) to measure PyTorch at its best.
"""
import os
import sys


def blas_library():
    """The resolved path of the libblas loaded in this process, or None (call after importing torch)."""
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1] if len(line.split()) >= 6 else ""
            if "libblas" in path or "libopenblas" in path:
                return os.path.realpath(path)
    return None


def require_fast_blas():
    """Re-execs with fast malloc settings if needed (`fast_malloc`), then checks for OpenBLAS; returns its path."""
    fast_malloc()
    lib = blas_library() or ""
    if "openblas" not in lib and os.environ.get("R1_ALLOW_REFERENCE_BLAS") != "1":
        sys.exit(f"torch is using {lib or 'no shared BLAS'}, not OpenBLAS: install libopenblas0-pthread "
                 "(apt-get install -y libopenblas0-pthread), or set R1_ALLOW_REFERENCE_BLAS=1 to measure anyway")
    return lib


MALLOC_ENV = {"MALLOC_MMAP_THRESHOLD_": "4294967296", "MALLOC_TRIM_THRESHOLD_": "4294967296"}


def fast_malloc():
    """Re-exec this script with glibc's mmap and trim thresholds raised (before torch allocates anything)."""
    if all(k in os.environ for k in MALLOC_ENV):
        return
    os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, **MALLOC_ENV})
