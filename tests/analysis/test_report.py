"""The HTML report: every section, numbers that match the files, self-contained."""
import base64
import html
import json
import re

import h5py
import numpy as np
import pytest

from analysis import report, summary
from sweepfile import write_sweep


def independent_rates(path):
    """Population-weighted left-out rate over reported weeks, whole area and most deprived
    fifth of neighbourhoods, computed straight from the file."""
    with h5py.File(path, "r") as f:
        keep = f["burn_in"][...] == 0
        lo = f["left_out_rate"][...][keep].astype(float)
        pop = f["population"][...][keep].astype(float)
        dep = f["neighbourhoods/deprivation"][...]
    k = max(1, round(len(dep) / 5))
    fifth = np.argsort(-dep)[:k]
    return (lo * pop).sum() / pop.sum(), (lo[:, fifth] * pop[:, fifth]).sum() / pop[:, fifth].sum()


def numbers_of(page):
    m = re.search(r'<script type="application/json" id="cw-numbers">(.*?)</script>', page, re.S)
    assert m, "no numbers block"
    return json.loads(m.group(1).replace("<\\/", "</"))


def text_of(page):
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_every_section(report_html):
    page = report_html[0].read_text()
    for key, title in report.SECTIONS:
        assert f'<section id="{key}">' in page, key
        assert f"<h2>{html.escape(title)}</h2>" in page, title
    assert page.count("<img ") >= 9


def test_numbers_match_files(report_html, runs):
    page = report_html[0].read_text()
    nums = numbers_of(page)
    base = [independent_rates(p) for p in runs["base"]]
    pol = [independent_rates(p) for p in runs["policy"]]
    np.testing.assert_allclose(nums["s0"]["area"], [b[0] for b in base], rtol=1e-6)
    np.testing.assert_allclose(nums["s0"]["fifth"], [b[1] for b in base], rtol=1e-6)
    np.testing.assert_allclose(nums["s1"]["fifth"], [p[1] for p in pol], rtol=1e-6)
    # the paired difference and its interval (same seeds; t(0.975, 2) = 4.303)
    d = np.array([p[1] for p in pol]) - np.array([b[1] for b in base])
    half = 4.3027 * d.std(ddof=1) / np.sqrt(3)
    diff = nums["s1"]["diff_fifth"]
    assert diff["method"] == "paired t" and diff["n"] == 3
    assert diff["mean"] == pytest.approx(d.mean(), rel=1e-6, abs=1e-12)
    assert diff["lo"] == pytest.approx(d.mean() - half, rel=1e-3, abs=1e-9)
    assert diff["hi"] == pytest.approx(d.mean() + half, rel=1e-3, abs=1e-9)
    # and the words say the same
    text = text_of(page)
    b_fifth = np.mean([b[1] for b in base])
    p_fifth = np.mean([p[1] for p in pol])
    assert f"{summary.one_in(b_fifth)} residents ({100 * b_fifth:.2f}%" in text
    assert f"{summary.one_in(p_fifth)} ({100 * p_fifth:.2f}%; 95% CI" in text
    assert f"a change of {100 * d.mean():+.2f} percentage points" in text
    assert f"95% CI {100 * (d.mean() - half):+.2f} to {100 * (d.mean() + half):+.2f}" in text


def test_headlines_and_provenance(report_html, runs):
    page = report_html[0].read_text()
    text = text_of(page)
    assert "had a need of severity 0.3 or more" in text and "a month or more" in text
    assert "investment.mode patient instead of none" in text
    assert "paired t over 3 pairs of runs with the same seed" in text
    with h5py.File(runs["base"][0], "r") as f:
        version = f.attrs["program_version"]
        scenario = f.attrs["scenario"]
    assert version in text
    assert html.escape(scenario.splitlines()[3]) in page
    for s in (1, 2, 3):
        assert f"base_s{s}.h5" in text and f"patient_s{s}.h5" in text
    assert re.search(r"<th>seed</th><td>2</td>", page)


def test_self_contained(report_html):
    page = report_html[0].read_text()
    assert not re.search(r"<link\b", page, re.I)
    assert not re.search(r"<script\b(?![^>]*application/json)", page, re.I)
    assert not re.search(r"\b(src|href)\s*=\s*[\"'](?!data:|#)", page, re.I)
    assert "url(" not in page and "@import" not in page
    imgs = re.findall(r'<img src="data:image/png;base64,([^"]+)"', page)
    assert len(imgs) == page.count("<img ")
    for b64 in imgs:
        assert base64.b64decode(b64)[:8] == b"\x89PNG\r\n\x1a\n"


def test_single_runs_say_no_interval(runs, work):
    out = work / "single.html"
    assert report.main([str(runs["base"][0]), str(runs["policy"][0]), "-o", str(out)]) == 0
    text = text_of(out.read_text())
    assert "no confidence interval can be given" in text
    assert "--seed" in text and "sweep" in text
    nums = numbers_of(out.read_text())
    assert nums["s1"]["diff_fifth"]["method"] == "single pair"
    b = independent_rates(runs["base"][0])[1]
    p = independent_rates(runs["policy"][0])[1]
    assert nums["s1"]["diff_fifth"]["mean"] == pytest.approx(p - b, abs=1e-9)


def test_sweep_input(runs, work):
    sweep = write_sweep(work / "grid_report.h5", runs["base"] + runs["policy"],
                        points=[0, 0, 0, 1, 1, 1], varied=["investment.mode"],
                        choices={"investment.mode": ["none", "competitive", "patient"]})
    out = work / "sweep.html"
    assert report.main([str(sweep), "-o", str(out)]) == 0
    page = out.read_text()
    text = text_of(page)
    assert "does patient investment leave fewer people out?" in text
    assert "investment.mode patient instead of none" in text
    nums = numbers_of(page)
    assert nums["s1"]["diff_fifth"]["method"] == "paired t"
    base = [independent_rates(p)[1] for p in runs["base"]]
    np.testing.assert_allclose(nums["s0"]["fifth"], base, rtol=1e-6)


def test_cli_errors(tmp_path, capsys):
    assert report.main([str(tmp_path / "missing.h5"), "-o", str(tmp_path / "r.html")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_question_of_run_files(report_html, runs):
    """A run file keeps its scenario's leading comment, so the report states the question the
    scenario file asks; the policy, made from the same file with --set, is asked from its
    settings rather than repeating the baseline's question."""
    from analysis import load
    assert load.open_result(runs["base"][0]).question() == "does everything work?"
    page = text_of(report_html[0].read_text())
    section = page[page.index("The question"):]
    assert "Does everything work?" in section
    assert section.count("Does everything work?") == 1
    assert "What changes for those left out when" in section


def test_output_never_overwrites_an_input_or_a_non_report(runs, tmp_path, capsys):
    """Issue 20 item 10: -o an input overwrote it with HTML and exited 0; a missing -o
    directory gave a traceback."""
    base = runs["base"][0]
    before = base.read_bytes()
    assert report.main([str(base), str(runs["policy"][0]), "-o", str(base)]) == 2
    assert "would overwrite an input" in capsys.readouterr().err
    assert base.read_bytes() == before
    assert report.main([str(base), "-o", str(tmp_path / "no" / "such" / "r.html")]) == 2
    assert "does not exist" in capsys.readouterr().err
    notes = tmp_path / "notes.txt"
    notes.write_text("precious")
    assert report.main([str(base), "-o", str(notes)]) == 2
    assert "not an HTML page" in capsys.readouterr().err and notes.read_text() == "precious"
    assert report.main([str(base), "-o", str(tmp_path)]) == 2
    assert "is a directory" in capsys.readouterr().err


def test_runs_of_different_lengths_are_refused(commonweal, source_dir, runs, tmp_path, capsys):
    import subprocess
    short = tmp_path / "short.h5"
    subprocess.run([commonweal, "run", source_dir / "scenarios" / "tiny.yaml", "-o", short, "-q",
                    "--set", "run.weeks=40"], check=True)
    assert report.main([str(runs["base"][0]), str(short), "-o", str(tmp_path / "r.html")]) == 2
    assert "have different weeks" in capsys.readouterr().err
    assert not (tmp_path / "r.html").exists()
