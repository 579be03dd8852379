#!/usr/bin/env bash
# Install what the viewer's browser tests need: Debian's Chromium and the Python
# playwright client (which drives /usr/bin/chromium; no browser is ever downloaded).
# Idempotent: exits 0 at once when both are already there.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-$root/.venv/bin/python}"

if [ ! -x "$python" ]; then
    echo "install-browser.sh: no Python at $python; create the venv (python3 -m venv .venv) or set PYTHON" >&2
    exit 1
fi

# fonts-noto-cjk: without a CJK font, screenshots show plan names as empty boxes
packages=(chromium fonts-noto-cjk)
if ! dpkg -s "${packages[@]}" >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "install-browser.sh: ${packages[*]} missing and installing needs root; run: sudo apt-get install -y ${packages[*]}" >&2
        exit 1
    fi
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${packages[@]}"
fi

if ! "$python" -c "import playwright.sync_api" >/dev/null 2>&1; then
    # PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: the client alone; tests use /usr/bin/chromium
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 "$python" -m pip install --quiet "playwright>=1.45"
fi

echo "chromium: $(chromium --version 2>/dev/null || echo '?')"
echo "playwright: $("$python" -c 'from importlib.metadata import version; print(version("playwright"))')"
