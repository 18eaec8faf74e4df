#!/usr/bin/env bash
# Installs every Debian 12 package lvsi needs to build, test and run.
# Idempotent; run as root (or through sudo).  Options:
#   --with-r   also install R with glmnet and pROC (benchmarks compare with them)
set -euo pipefail

packages=(
  build-essential cmake ccache pkg-config git
  libinsighttoolkit5-dev libfftw3-dev libgdcm-tools
  libtorch-dev libdnnl-dev libopenblas0-pthread
  libsvm-dev libspdlog-dev libfmt-dev libeigen3-dev
  libgtest-dev libgmock-dev
  libboost-math-dev libyaml-cpp-dev nlohmann-json3-dev libcli11-dev libtbb-dev
  libcairo2-dev fonts-dejavu-core zlib1g-dev libdeflate-dev
  python3 python3-numpy python3-torchvision python3-pywt python3-skimage python3-scipy
)
if [[ "${1:-}" == "--with-r" ]]; then
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
