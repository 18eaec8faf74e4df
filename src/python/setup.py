"""Builds the Python package lvsi for pip (``pip install ./src/python``).

The extension lvsi._lvsi and lvsi's libraries are built by the project's
own CMake (the top folder of this checkout) and installed into a staging
folder laid out as the wheel: the package in lvsi/, the libraries and the
DICOM reader program in lvsi/lib (the extension's RPATH is $ORIGIN/lib).
ITK, LibTorch, libsvm and the other dependencies stay Debian's packages.

Environment:
  LVSI_CMAKE_ARGS            more arguments for CMake's configure step,
                             e.g. "-DLVSI_WITH_DEEPFEATURES=OFF"
  CMAKE_BUILD_PARALLEL_LEVEL parallel build jobs (default: every core)
"""
import os
import re
import shlex
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))


def project_version():
    with open(os.path.join(ROOT, "CMakeLists.txt")) as f:
        found = re.search(r"project\(lvsi\s+VERSION\s+([0-9][0-9.]*)", f.read())
    if not found:
        sys.exit("setup.py: no 'project(lvsi VERSION ...)' in %s" % os.path.join(ROOT, "CMakeLists.txt"))
    return found.group(1)


class CMakeBuild(build_ext):
    """Configures, builds and stages lvsi with CMake, then copies the
    extension and lvsi/lib into the wheel's build folder."""

    def build_extension(self, ext):
        if shutil.which("cmake") is None:
            sys.exit("setup.py: cmake is needed to build lvsi (Debian: apt-get install cmake)")
        build = os.path.abspath(os.path.join(self.build_temp, "cmake"))
        stage = os.path.abspath(os.path.join(self.build_temp, "stage"))
        shutil.rmtree(stage, ignore_errors=True)
        configure = ["cmake", "-S", ROOT, "-B", build, "-DCMAKE_BUILD_TYPE=Release", "-DLVSI_PYTHON=ON",
                     "-DPython3_EXECUTABLE=" + sys.executable, "-DLVSI_BUILD_TESTS=OFF",
                     "-DLVSI_BUILD_EXAMPLES=OFF", "-DLVSI_BUILD_BENCHMARKS=OFF",
                     "-DCMAKE_INSTALL_LIBDIR=lvsi/lib", "-DLVSI_PYTHON_INSTALL_DIR=."]
        configure += shlex.split(os.environ.get("LVSI_CMAKE_ARGS", ""))
        jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL") or str(os.cpu_count() or 1)
        for command in (configure, ["cmake", "--build", build, "-j", jobs],
                        ["cmake", "--install", build, "--component", "runtime", "--prefix", stage]):
            print(" ".join(shlex.quote(c) for c in command), flush=True)
            subprocess.run(command, check=True)
        package = os.path.join(stage, "lvsi")
        built = [f for f in os.listdir(package) if f.startswith("_lvsi.") and f.endswith(".so")]
        if len(built) != 1:
            sys.exit("setup.py: the CMake build staged no single lvsi/_lvsi*.so in %s" % package)
        target = os.path.abspath(self.get_ext_fullpath(ext.name))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(os.path.join(package, built[0]), target)
        copy_libraries(os.path.join(package, "lib"), os.path.join(os.path.dirname(target), "lib"))


def copy_libraries(source, target):
    """The staged lvsi/lib without symbolic links (a wheel holds none): each
    library under its soname, the name the loader asks for; the file a
    soname link points to is not copied a second time."""
    shutil.rmtree(target, ignore_errors=True)
    os.makedirs(target)
    names = sorted(n for n in os.listdir(source) if os.path.isfile(os.path.join(source, n)))
    linked = {os.path.realpath(os.path.join(source, n)) for n in names if os.path.islink(os.path.join(source, n))}
    for name in names:
        path = os.path.join(source, name)
        if not os.path.islink(path) and os.path.realpath(path) in linked:
            continue
        shutil.copy2(path, os.path.join(target, name))  # (follows a link)


setup(version=project_version(), ext_modules=[Extension("lvsi._lvsi", sources=[])], cmdclass={"build_ext": CMakeBuild},
      zip_safe=False)
