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
import statistics
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
    """Best of `repeats` of execute(), and of the C++ call alone in this
    process (FeatureExtractor::Execute timed in C++), interleaved; and the
    ratios of each execute() to the C++ call right after it (pairs see the
    machine alike, which minima of a noisy machine do not)."""
    from lvsi import _lvsi
    extractor = featureextractor.RadiomicsFeatureExtractor(args.params)
    extractor.threads = threads
    text = extractor._parameters_text(extractor.settings)
    best, inner, features, ratios = float("inf"), float("inf"), 0, []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        result = extractor.execute(image, mask)
        seconds = time.perf_counter() - t0
        best = min(best, seconds)
        cpp = _lvsi._time_execute(text, image, mask, image.pixel_type, threads)
        inner = min(inner, cpp)
        ratios.append(seconds / cpp)
        features = sum(1 for k in result if not k.startswith("diagnostics_"))
    return best, features, inner, ratios


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
rows, ratios = [], {1: [], 0: []}
for round_ in range(2):
    c1, call = cpp_best()
    p1, n, i1, r1 = python_best(1)
    pall, _, iall, rall = python_best(0)
    rows.append((c1, p1, call, pall, i1, iall))
    ratios[1] += r1
    ratios[0] += rall
best = [min(r[k] for r in rows) for k in range(6)]
c1, p1, call, pall, i1, iall = best
print("%d features; C++: bench_radiomics (its own process) and the C++ call in this process" % n)
print("%-8s %14s %16s %12s %14s %14s %16s" % ("threads", "C++ bench [s]", "C++ here [s]", "Python [s]", "/ C++ bench",
                                               "/ C++ here", "median of pairs"))
for label, c, i, p, r in (("1", c1, i1, p1, ratios[1]), ("all", call, iall, pall, ratios[0])):
    print("%-8s %14.4f %16.4f %12.4f %14.3f %14.3f %16.3f" % (label, c, i, p, p / c, p / i, statistics.median(r)))
