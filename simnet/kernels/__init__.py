"""Numba kernels: pure functions over arrays, each with a NumPy twin in reference.py."""
