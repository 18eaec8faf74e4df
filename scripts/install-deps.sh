#!/usr/bin/env bash
# Installs every Debian 12 package lvsi needs to build, test, package and run,
# on a fresh Debian 12 as on a used one: nothing installed by hand is assumed.
# Idempotent; run as root (or through sudo).  Options:
#   --without-deep  leave out LibTorch, oneDNN and torchvision (about 1 GB):
#                   enough for a build with -DLVSI_WITH_DEEPFEATURES=OFF
#   --with-r        also install R with glmnet and pROC (benchmarks compare with them)
#   --with-checks   also install clang with libFuzzer (scripts/run-checks.sh: fuzzers)
#   --without-cluster  leave out Slurm and munge (the cluster tests then skip)
set -euo pipefail

usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; }
deep=1 r=0 checks=0 cluster=1
for arg in "$@"; do
  case "$arg" in
    --without-deep) deep=0 ;;
    --with-r) r=1 ;;
    --with-checks) checks=1 ;;
    --without-cluster) cluster=0 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install-deps: unknown option '$arg'" >&2; usage >&2; exit 2 ;;
  esac
done

packages=(
  # build tools; file and dpkg-dev (in build-essential) make the .deb (cpack)
  build-essential cmake ccache pkg-config git file
  # the libraries every module but deepfeatures uses
  libinsighttoolkit5-dev libfftw3-dev libgdcm-tools
  libsvm-dev libspdlog-dev libfmt-dev libeigen3-dev
  libboost-math-dev libyaml-cpp-dev nlohmann-json3-dev libcli11-dev libtbb-dev
  libcairo2-dev fonts-dejavu-core zlib1g-dev libdeflate-dev
  # tests: GoogleTest and the Python references (PyWavelets, scikit-image, scipy)
  libgtest-dev libgmock-dev
  python3 python3-numpy python3-pywt python3-skimage python3-scipy
  # the Python package (pybind11) and its tests (pytest; PyYAML reads parameter files);
  # pip install ./src/python, offline in a virtual environment (venv, pip, setuptools, wheel)
  python3-dev pybind11-dev python3-pytest python3-yaml
  python3-venv python3-pip python3-setuptools python3-wheel
)
if [[ $deep -eq 1 ]]; then
  # deepfeatures: LibTorch, oneDNN (its CPU engine; the OpenCL headers its CMake
  # package would ask for are not needed), the multithreaded BLAS LibTorch calls,
  # and torchvision as the tests' reference
  packages+=(libtorch-dev libdnnl-dev libopenblas0-pthread python3-torchvision)
fi
if [[ $cluster -eq 1 ]]; then
  # the cluster tests (tests/cluster): a one-node Slurm they start and stop
  # themselves, with its own configuration, key and ports in a temporary
  # folder (the packages' own services are not configured by lvsi)
  packages+=(slurmctld slurmd slurm-client munge)
fi
if [[ $checks -eq 1 ]]; then
  # clang 14 and its libFuzzer runtime; llvm's symbolizer for the reports
  packages+=(clang libclang-rt-14-dev llvm)
fi
if [[ $r -eq 1 ]]; then
  packages+=(r-base-core r-cran-glmnet r-cran-proc)
fi

if [[ $(id -u) -ne 0 ]]; then
  exec sudo "$0" "$@"
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi
echo "install-deps: installing ${#missing[@]} package(s): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
