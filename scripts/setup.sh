#!/usr/bin/env bash
# Installs what Reelforge needs on a Debian/Ubuntu machine with Node ≥ 20: ffmpeg, poppler-utils, fonts and
# redis-server (for the tests of the Redis job backend) from apt when missing, then npm ci (which also
# builds the native compositing kernels and the TypeScript).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1 || need+=(ffmpeg)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
# pdftoppm turns PDF pages into images (asset processing).
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
{ command -v fc-list >/dev/null 2>&1 && fc-list | grep -qi dejavu; } || need+=(fontconfig fonts-dejavu-core)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${need[*]}"
  SUDO=''
  [ "$(id -u)" -eq 0 ] || SUDO='sudo'
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

npm ci --no-audit --no-fund
