"""Which OpenBLAS a PyTorch process loaded, and the kernel set it chose (shared by the reference benches)."""
import ctypes


def openblas():
    """The OpenBLAS this process loaded (through torch) and the kernel set it chose at start."""
    with open("/proc/self/maps") as maps:
        paths = sorted({line.split()[-1] for line in maps if "openblas" in line and ".so" in line})
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
            lib.openblas_get_corename.restype = ctypes.c_char_p
            return lib.openblas_get_corename().decode(), path
        except (OSError, AttributeError):
            continue
    return "none", "-"
