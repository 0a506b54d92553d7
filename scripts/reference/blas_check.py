"""Which BLAS the running torch uses, and a refusal to measure against the reference one.

Debian's python3-torch links the generic `libblas.so.3`, which the alternatives system points at whichever BLAS is
installed: the reference (netlib) BLAS by default, OpenBLAS once `libopenblas0-pthread` is installed. On this project's
machine that choice moved torch's train step from ~80 ms to ~820 ms, so a side-by-side ratio against a torch without
OpenBLAS would be meaningless. The reference scripts call `require_fast_blas()` before measuring and print `blas_library()`
with their results. Install OpenBLAS with: apt-get install -y libopenblas0-pthread
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
    lib = blas_library() or ""
    if "openblas" not in lib and os.environ.get("R1_ALLOW_REFERENCE_BLAS") != "1":
        sys.exit(f"torch is using {lib or 'no shared BLAS'}, not OpenBLAS: install libopenblas0-pthread "
                 "(apt-get install -y libopenblas0-pthread), or set R1_ALLOW_REFERENCE_BLAS=1 to measure anyway")
    return lib
