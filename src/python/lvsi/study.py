"""The study end to end from Python: runs the ``lvsi_study`` program
(radiomics, deep features, the Rad/DL/RDL models, evaluation, report) and
reads its report.

    report = lvsi.study.run(out_dir="study", manifest="cohort.csv", weights="resnet50.pt")
    report = lvsi.study.run(out_dir="demo", demo=True)          # the synthetic demo cohort
    print(report["models"])                                        # the report.json of the run
"""
import json
import os
import shutil
import subprocess

from ._errors import Error, MissingFileError


def program():
    """The lvsi_study program: $LVSI_STUDY, then the one installed beside
    this package (<prefix>/bin), then the PATH."""
    candidates = [os.environ.get("LVSI_STUDY", "")]
    here = os.path.dirname(os.path.abspath(__file__))
    candidates.append(os.path.join(here, "..", "..", "..", "..", "bin", "lvsi_study"))  # <prefix>/lib/python3/dist-packages/lvsi
    candidates.append(shutil.which("lvsi_study") or "")
    for c in candidates:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return os.path.abspath(c)
    raise MissingFileError("lvsi_study: the program does not exist beside the package or on the PATH "
                           "(set LVSI_STUDY); it is built with the deepfeatures module")


def run(out_dir, manifest=None, demo=False, demo_patients=None, config=None, weights=None, seed=None, jobs=0,
        cache=True, extra_args=(), quiet=True):
    """Runs the study into ``out_dir`` and returns its report (report.json).
    Exactly one of ``manifest`` and ``demo``.  Raises lvsi.Error with the
    program's message when it fails; KeyboardInterrupt stops it."""
    if bool(manifest) == bool(demo):
        raise ValueError("lvsi.study.run needs exactly one of manifest=... and demo=True")
    args = [program(), "--out", str(out_dir), "--jobs", str(jobs)]
    args += ["--manifest", str(manifest)] if manifest else ["--demo"]
    if demo_patients:
        args += ["--demo-patients", str(demo_patients)]
    for flag, value in (("--config", config), ("--weights", weights), ("--seed", seed)):
        if value is not None:
            args += [flag, str(value)]
    if not cache:
        args.append("--no-cache")
    args += list(extra_args)
    process = subprocess.run(args, stdout=subprocess.PIPE if quiet else None, stderr=subprocess.PIPE, text=True)
    if process.returncode != 0:
        raise Error("lvsi_study failed (exit %d): %s" % (process.returncode, process.stderr.strip()[-2000:]))
    return read_report(out_dir)


def read_report(out_dir):
    """The report.json a study run wrote into ``out_dir``."""
    path = os.path.join(str(out_dir), "report.json")
    if not os.path.isfile(path):
        raise MissingFileError("%s: does not exist (has the study run into %s?)" % (path, out_dir))
    with open(path) as f:
        return json.load(f)
