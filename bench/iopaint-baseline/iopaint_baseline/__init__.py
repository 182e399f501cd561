"""An IOPaint-style LaMa server: the external baseline for lama-serve's benchmarks."""
