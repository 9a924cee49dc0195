# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""The report renders in headless Chromium: no errors, and its images are decoded and drawn."""
import os
import pathlib
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
    r = run_browser(exe, tmp_path, "--enable-logging=stderr", "--v=0", "--window-size=1200,6000",
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


# Measured in the page after load: written into <body data-check> for --dump-dom to return.
PROBE = """<script>
(function () {
  var d = document.documentElement, imgs = Array.prototype.slice.call(document.images);
  var empty = Array.prototype.slice.call(document.querySelectorAll('section')).filter(function (s) {
    var h = s.querySelector('h2'), text = s.innerText.replace(h ? h.innerText : '', '').trim();
    return text.length < 40 && !s.querySelector('img, table');
  }).map(function (s) { return s.id; });
  var small = [], scale = 10;
  Array.prototype.slice.call(document.querySelectorAll('p, li, td, th, caption')).forEach(function (e) {
    var px = parseFloat(getComputedStyle(e).fontSize);
    if (px < 14 && e.innerText.trim() && !e.closest('.small, details, pre')) small.push(e.tagName + ' ' + px);
  });
  imgs.forEach(function (i) { if (i.naturalWidth) scale = Math.min(scale, i.clientWidth / i.naturalWidth); });
  document.body.setAttribute('data-check', JSON.stringify({
    scrollWidth: d.scrollWidth, clientWidth: d.clientWidth, images: imgs.length,
    broken: imgs.filter(function (i) { return !(i.complete && i.naturalWidth > 0); }).length,
    empty: empty, small: small.slice(0, 5), imageScale: scale}));
})();
</script>"""

# The plots' smallest text: 14 pt at 96 dpi (analysis/plots.py STYLE) = 18.7 px at scale 1.
PLOT_TEXT_PX = 14 * 96 / 72


def probe(exe, tmp_path, page, width):
    probed = tmp_path / f"probe{width}.html"
    probed.write_text(page.read_text().replace("</body>", PROBE + "</body>"), encoding="utf-8")
    r = run_browser(exe, tmp_path, f"--window-size={width},900", "--virtual-time-budget=5000",
                    "--dump-dom", probed.as_uri())
    assert r.returncode == 0, r.stderr[-2000:]
    import html as _html
    import json
    import re
    m = re.search(r'data-check="([^"]*)"', r.stdout)
    assert m, "the probe did not run:\n" + r.stdout[-1000:]
    return json.loads(_html.unescape(m.group(1)))


@pytest.mark.parametrize("width,min_plot_px", [(1280, 14), (800, 12)])
def test_report_fits_a_projector(report_html, tmp_path, width, min_plot_px):
    """At 1280 px (a projector) and 800 px: no horizontal scroll, every image loaded, no empty
    section, body text at least 14 px and plot text at least 14 px (12 at 800)."""
    exe = chromium()
    got = probe(exe, tmp_path, report_html[0], width)
    print(got)
    assert got["scrollWidth"] <= got["clientWidth"], f"horizontal scroll at {width}: {got}"
    assert got["images"] >= 8 and got["broken"] == 0, got
    assert got["empty"] == [], f"empty sections: {got['empty']}"
    assert got["small"] == [], f"text under 14 px: {got['small']}"
    assert PLOT_TEXT_PX * got["imageScale"] >= min_plot_px, got


def test_pdf(report_html, tmp_path):
    """--pdf prints the same report through headless Chromium."""
    chromium()
    from analysis import report
    pdf = tmp_path / "report.pdf"
    report.write_pdf(str(report_html[0]), str(pdf))
    data = pdf.read_bytes()
    assert data[:5] == b"%PDF-" and len(data) > 50000
    assert data.count(b"/Type /Page") - data.count(b"/Type /Pages") >= 3


def test_screenshots_for_people(report_html, tmp_path):
    """Full-page screenshots at 1280 and 800 px, kept under $CW_SCREENSHOTS when set, for a
    person to look at (they are what a campaigner sees)."""
    exe = chromium()
    out = pathlib.Path(os.environ.get("CW_SCREENSHOTS", tmp_path))
    out.mkdir(parents=True, exist_ok=True)
    for width in (1280, 800):
        height = 1200
        shot = out / f"report-{width}.png"
        run_browser(exe, tmp_path, f"--window-size={width},{height}", f"--screenshot={shot}",
                    report_html[0].as_uri())
        assert shot.exists() and shot.stat().st_size > 10000
