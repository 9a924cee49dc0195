"""The report renders in headless Chromium: no errors, and its images are decoded and drawn."""
import os
import shutil
import subprocess

import matplotlib.image as mpimg
import numpy as np
import pytest

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--mute-audio", "--hide-scrollbars"]


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("no chromium binary on PATH (Debian package `chromium`, installed by "
                ".ci/deps.sh): the browser rendering test is skipped")


def run_browser(exe, tmp_path, *args):
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    env = dict(os.environ, HOME=str(tmp_path))
    return subprocess.run([exe, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True,
                          text=True, timeout=90, env=env)


def test_report_renders(report_html, tmp_path):
    exe = chromium()
    page = report_html[0]
    shot = tmp_path / "shot.png"
    r = run_browser(exe, tmp_path, "--enable-logging=stderr", "--v=0", "--window-size=1200,2400",
                    f"--screenshot={shot}", page.as_uri())
    assert shot.exists() and shot.stat().st_size > 10000, r.stderr[-2000:]
    console = [ln for ln in r.stderr.splitlines() if "CONSOLE" in ln or "Uncaught" in ln
               or "net::ERR" in ln or "Not allowed to load" in ln]
    assert not console, "\n".join(console)
    img = mpimg.imread(shot)[..., :3]
    assert img.shape[0] >= 2000 and img.shape[1] >= 1000
    assert float(img.std()) > 0.05                       # not blank
    # The plots' second colour (#d1495b, the policy's bars and lines) is used only inside the
    # images, so finding it on the screenshot shows that the inline PNGs were decoded and drawn.
    red = np.array([0xd1, 0x49, 0x5b]) / 255.0
    near = np.abs(img - red).max(axis=2) < 0.04
    assert near.sum() > 500, f"only {near.sum()} pixels of the plots' colour"


def test_report_dom(report_html, tmp_path):
    exe = chromium()
    r = run_browser(exe, tmp_path, "--dump-dom", report_html[0].as_uri())
    assert r.returncode == 0, r.stderr[-2000:]
    dom = r.stdout
    assert "<h1>Who is left out?" in dom
    assert dom.count("<img ") >= 9 and 'id="provenance"' in dom
