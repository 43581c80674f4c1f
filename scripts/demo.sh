#!/usr/bin/env bash
# Quick start: set up, then render the bundled example timeline to out/slideshow.mp4.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
node bin/reelforge.js render examples/slideshow/timeline.json -o out/slideshow.mp4
