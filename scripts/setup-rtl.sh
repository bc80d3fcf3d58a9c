#!/usr/bin/env bash
# `npm run setup:rtl`: installs the Verilog tools `systolab rtl` runs, from Debian's packages, saying what it runs.
#   iverilog  — Icarus Verilog, the simulator `rtl sim` uses
#   verilator — its lint (`rtl gen` checks the Verilog it writes with `verilator --lint-only -Wall`)
#   yosys     — synthesis (`rtl synth`)
set -euo pipefail
packages=(iverilog verilator yosys)
missing=()
for p in "${packages[@]}"; do command -v "$p" >/dev/null || missing+=("$p"); done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup:rtl: already installed: $(iverilog -V 2>/dev/null | head -1); $(verilator --version); $(yosys -V)"
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if ! command -v apt-get >/dev/null; then
  echo "setup:rtl: no apt-get here; install ${missing[*]} with your system's package manager (Homebrew: brew install icarus-verilog verilator yosys)" >&2
  exit 2
fi
echo "setup:rtl: running: $sudo apt-get install -y --no-install-recommends ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get install -y --no-install-recommends "${missing[@]}" </dev/null || { $sudo apt-get update </dev/null && $sudo apt-get install -y --no-install-recommends "${missing[@]}" </dev/null; }
echo "setup:rtl: installed: $(iverilog -V 2>/dev/null | head -1); $(verilator --version); $(yosys -V)"
