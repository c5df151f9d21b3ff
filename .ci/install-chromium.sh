#!/usr/bin/env bash
# Install Debian's Chromium for the browser tests when it is missing (Playwright drives it through
# executable_path; no browser is downloaded by Playwright). Called from .ci/run before `make test`.
set -euo pipefail
if [ ! -x /usr/bin/chromium ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core
fi
/usr/bin/chromium --version 2>/dev/null
