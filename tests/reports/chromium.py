"""Headless Chromium (Debian's `chromium` package) taking a screenshot of a page on disk."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")

# Nothing leaves the machine: no QUIC, no background fetches, no updates, no sync.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def screenshot(page: Path, png: Path, width: int = 1200, height: int = 3000) -> None:
    """`page` rendered at `width` x `height` CSS pixels, saved as `png` (blocking)."""
    with tempfile.TemporaryDirectory(prefix="ovop-chromium-") as profile:
        done = subprocess.run(
            [
                str(CHROMIUM),
                *FLAGS,
                f"--user-data-dir={profile}",
                f"--screenshot={png}",
                f"--window-size={width},{height}",
                page.resolve().as_uri(),
            ],
            capture_output=True,
            timeout=120,
            check=False,
        )
    if done.returncode != 0 or not png.exists():
        raise RuntimeError(f"chromium exited {done.returncode}: {done.stderr.decode()[-2000:]}")
