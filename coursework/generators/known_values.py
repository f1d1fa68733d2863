"""The command line shared by the generators of known values (generate_A1.py, generate_A2.py, ...).

Each generator has a table {file name: (function of a NumPy Generator returning {key: array}, seed)}; this
writes every file whose arrays changed (so that regenerating leaves the repository clean), or with --check
only compares and exits 1 on a difference.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from nn_from_scratch.atomic_file import save_npz_atomically


def same_values(path: Path, values: dict) -> bool:
    if not path.is_file():
        return False
    with np.load(path, allow_pickle=False) as stored:
        if set(stored.files) != set(values):
            return False
        return all(stored[k].shape == np.shape(values[k]) and np.allclose(stored[k], values[k], rtol=1e-12, atol=1e-14)
                   for k in values)


def write_known_values(generators: dict, data: Path, description: str, argv=None) -> int:
    """Run a generator's command line: (re)write ``data/<name>.npz`` for each of ``generators``, or --check."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--check", action="store_true", help="compare with the stored files; write nothing")
    args = parser.parse_args(argv)
    stale = []
    for name, (generate, seed) in generators.items():
        values = {key: np.asarray(value, dtype=np.float64) for key, value in
                  generate(np.random.default_rng(seed)).items()}
        path = data / f"{name}.npz"
        if same_values(path, values):
            continue
        stale.append(path.name)
        if not args.check:
            save_npz_atomically(path, values)
    if args.check and stale:
        print("stale known values (regenerate them): " + ", ".join(stale))
        return 1
    print(("wrote " + ", ".join(stale)) if stale else "known values up to date")
    return 0
