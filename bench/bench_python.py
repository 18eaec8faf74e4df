#!/usr/bin/env python3
"""The Python API beside the C++ call on the same case and parameters
(default: brain1 with the study's 1409-feature t2w.yaml): best of N on one
thread and on all cores, the C++ times from bench_radiomics run in the
same session.  Images are read once on both sides, so both time the
extraction and (Python) the conversion of its result.

    PYTHONPATH=build/python python3 bench/bench_python.py [--repeats N] [--params FILE] [--bench build/bin/bench_radiomics]
"""
import argparse
import os
import re
import subprocess
import time

import lvsi
from lvsi.radiomics import featureextractor

here = os.path.dirname(os.path.abspath(__file__))
parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--repeats", type=int, default=15)
parser.add_argument("--params", default=os.path.join(here, "..", "examples", "params", "t2w.yaml"))
parser.add_argument("--folder", default=os.path.join(here, "..", "..", "shared", "reference", "pyradiomics"))
parser.add_argument("--case", default="brain1")
parser.add_argument("--bench", default=os.path.join(here, "..", "build", "bin", "bench_radiomics"))
args = parser.parse_args()

image_path = os.path.join(args.folder, args.case + "_image.nrrd")
mask_path = os.path.join(args.folder, args.case + "_label.nrrd")
image, mask = lvsi.read_image(image_path), lvsi.read_label_image(mask_path)


def python_best(threads):
    extractor = featureextractor.RadiomicsFeatureExtractor(args.params)
    extractor.threads = threads
    best, features = float("inf"), 0
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        result = extractor.execute(image, mask)
        best = min(best, time.perf_counter() - t0)
        features = sum(1 for k in result if not k.startswith("diagnostics_"))
    return best, features


def cpp_best():
    """bench_radiomics' best one-thread time and all-cores time for the case."""
    out = subprocess.run([args.bench, args.folder, "--params", args.params, "--repeats", str(args.repeats)],
                         stdout=subprocess.PIPE, text=True, check=True).stdout
    for line in out.splitlines():
        if line.startswith(args.case + " "):
            fields = line.split()
            return float(fields[3]), float(fields[4])  # (best) 1 thread, all cores
    raise SystemExit("bench_radiomics printed no row for " + args.case)


print("lvsi %s, %s, %s, best of %d" % (lvsi.__version__, args.case, os.path.basename(args.params), args.repeats))
# Interleaved rounds, so that the machine's swings hit both sides alike.
rows = []
for round_ in range(2):
    c1, call = cpp_best()
    p1, n = python_best(1)
    pall, _ = python_best(0)
    rows.append((c1, p1, call, pall))
c1 = min(r[0] for r in rows)
p1 = min(r[1] for r in rows)
call = min(r[2] for r in rows)
pall = min(r[3] for r in rows)
print("%d features" % n)
print("%-10s %12s %12s %10s" % ("threads", "C++ [s]", "Python [s]", "Python/C++"))
print("%-10s %12.4f %12.4f %10.3f" % ("1", c1, p1, p1 / c1))
print("%-10s %12.4f %12.4f %10.3f" % ("all", call, pall, pall / call))
