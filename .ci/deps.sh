#!/usr/bin/env bash
# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
# Install what Commonweal needs on Debian 12 (as root), from Debian's packages only.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
pkgs=(build-essential cmake pkg-config git
      libhdf5-dev hdf5-tools libyaml-dev libcriterion-dev
      python3 python3-h5py python3-numpy python3-scipy python3-xarray python3-netcdf4 python3-pandas
      python3-matplotlib python3-pytest netcdf-bin chromium
      udunits-bin                          # tests/e2e/test_cf.py: every unit parses
      python3-pip python3-setuptools python3-wheel  # pip install ./analysis (the commonweal package)
      help2man                             # the man page (optional: built when found)
      clang libclang-rt-14-dev valgrind   # libFuzzer (tests/fuzz), memcheck
      libopenmpi-dev openmpi-bin)         # distributed runs and sweeps (docs/MPI.md)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
