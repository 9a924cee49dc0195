# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""The HTML report: every section, numbers that match the files, self-contained."""
import base64
import html
import json
import re
import subprocess

import h5py
import numpy as np
import pytest

from analysis import report, summary
from conftest import SOURCE_DIR
from sweepfile import write_sweep


def independent_rates(path):
    """Population-weighted left-out rate, each reported week, averaged over the weeks: whole
    area and the most deprived fifth present (compare --by fifth: fifth k holds deciles 2k-1
    and 2k), computed straight from the file."""
    with h5py.File(path, "r") as f:
        keep = f["burn_in"][...] == 0
        lo = f["left_out_rate"][...][keep].astype(float)
        pop = f["population"][...][keep].astype(float)
        dec = f["neighbourhoods/decile"][...]
    fifth = (dec - 1) // 2
    top = np.flatnonzero(fifth == fifth.max())
    return (np.mean((lo * pop).sum(axis=1) / pop.sum(axis=1)),
            np.mean((lo[:, top] * pop[:, top]).sum(axis=1) / pop[:, top].sum(axis=1)))


def compare_rows(commonweal, files, by="fifth"):
    r = subprocess.run([commonweal, "compare", "--json", *map(str, files), "-m", "left_out_rate",
                        "--by", by], capture_output=True, text=True, check=True)
    return {x["group"]: x for x in json.loads(r.stdout)["rows"]}


def numbers_of(page):
    m = re.search(r'<script type="application/json" id="cw-numbers">(.*?)</script>', page, re.S)
    assert m, "no numbers block"
    return json.loads(m.group(1).replace("<\\/", "</"))


def text_of(page):
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_every_section(report_html):
    page = report_html[0].read_text()
    for key, title in report_html[1].sections():
        assert f'<section id="{key}">' in page, key
        assert f"<h2>{html.escape(title)}</h2>" in page, title
    # no empty sensitivity section without a Morris or Latin-hypercube file
    assert 'id="sensitivity"' not in page
    assert page.count("<img ") >= 9


def test_numbers_match_files(report_html, runs):
    page = report_html[0].read_text()
    nums = numbers_of(page)
    base = [independent_rates(p) for p in runs["base"]]
    pol = [independent_rates(p) for p in runs["policy"]]
    np.testing.assert_allclose(nums["s0"]["area"], [b[0] for b in base], rtol=1e-9)
    np.testing.assert_allclose(nums["s0"]["fifth"], [b[1] for b in base], rtol=1e-9)
    np.testing.assert_allclose(nums["s1"]["fifth"], [p[1] for p in pol], rtol=1e-9)
    # the paired difference and its interval (same seeds; t(0.975, 2) = 4.303)
    d = np.array([p[1] for p in pol]) - np.array([b[1] for b in base])
    half = 4.3027 * d.std(ddof=1) / np.sqrt(3)
    diff = nums["s1"]["diff_fifth"]
    assert diff["method"] == "paired t" and diff["n"] == 3
    assert diff["mean"] == pytest.approx(d.mean(), rel=1e-6, abs=1e-12)
    assert diff["lo"] == pytest.approx(d.mean() - half, rel=1e-3, abs=1e-9)
    assert diff["hi"] == pytest.approx(d.mean() + half, rel=1e-3, abs=1e-9)


def test_report_and_compare_agree_to_the_last_digit(report_html, runs, commonweal):
    """The report's differences are compare's doubles, and its words print them."""
    page = report_html[0].read_text()
    nums = numbers_of(page)
    rows = compare_rows(commonweal, runs["base"] + runs["policy"])
    k = nums["fifth"]
    top, whole = rows[f"fifth {k}"], rows["all residents"]
    assert nums["s1"]["diff_fifth"]["mean"] == top["difference"]
    assert nums["s1"]["diff_fifth"]["lo"] == top["ci_low"]
    assert nums["s1"]["diff_fifth"]["hi"] == top["ci_high"]
    assert nums["s1"]["diff_area"]["mean"] == whole["difference"]
    assert nums["s1"]["compare_fifth"]["baseline_mean"] == top["baseline_mean"]
    text = text_of(page)
    d = report.ci_digits(summary.stats.from_compare(top), top["baseline_mean"])
    assert (f"a change of {summary.pp(top['difference'], digits=d)} (95% CI "
            f"{summary.pp(top['ci_low'], digits=d, unit=False)} to "
            f"{summary.pp(top['ci_high'], digits=d, unit=False)}") in text
    assert f"{summary.one_in(top['policy_mean'])} residents ({summary.pct(top['policy_mean'])}" in text
    assert not re.search(r"[−-]0\.0+(?!\d)", text), "a negative zero is printed"


def test_first_screen_answers_in_words(report_html):
    rep = report_html[1]
    lead = rep.lead_sentence()
    assert lead.startswith("With patient core funding targeted by need")
    assert "£40 per resident per year" in lead and "investment.mode" not in lead
    assert re.search(r"1 in \d+ residents of the most deprived", lead)
    assert "too small to tell from chance" in lead or "beyond what chance explains" in lead
    left = rep.still_left_out()
    assert left.startswith("Who is still left out either way: ")
    page = report_html[0].read_text()
    top = page[:page.index("<nav>")]
    assert "Who is still left out either way" in top and '<table class="side">' in top


def test_headlines_and_provenance(report_html, runs):
    page = report_html[0].read_text()
    text = text_of(page)
    assert "paired t over 3 pairs of runs with the same seed" in text
    assert "patient core funding targeted by need" in text
    with h5py.File(runs["base"][0], "r") as f:
        version = f.attrs["program_version"]
        scenario = f.attrs["scenario"]
    assert version in text
    assert html.escape(scenario.splitlines()[3]) in page
    for s in (1, 2, 3):
        assert f"base_s{s}.h5" in text and f"patient_s{s}.h5" in text
    assert re.search(r"<th>seed</th><td>2</td>", page)


def test_null_is_explained(runs, work, commonweal):
    """A cut that falls on slack: the report says the service had no queue."""
    from conftest import run_cli
    tiny = SOURCE_DIR / "scenarios" / "tiny.yaml"
    cut = []
    for s in (1, 2):
        out = work / f"foodcut_s{s}.h5"
        run_cli(commonweal, "run", tiny, "-o", out, "--quiet", "--force", "--threads", 1,
                "--seed", s, "--set", "funding.scale.food=0.9")
        cut.append(out)
    rep = report.Report(runs["base"][:2] + cut)
    rep.compute()
    heads = " ".join(rep.headline_sentences())
    assert "crisis food and fuel support budget cut by 10%" in heads
    if "cannot tell this policy's effect from no effect" in heads:
        assert ("had no queue" in heads or "staff hours went from" in heads), heads
        assert "more replicates would narrow it" in heads


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
    """A sweep file the report cannot pair (no design points) is refused with compare's
    words, exit 2: the report has no second pairing engine to fall back on."""
    sweep = write_sweep(work / "grid_report.h5", runs["base"] + runs["policy"],
                        points=[0, 0, 0, 1, 1, 1], varied=["investment.mode"],
                        choices={"investment.mode": ["none", "competitive", "patient"]})
    out = work / "sweep.html"
    rc = report.main([str(sweep), "-o", str(out)])
    assert rc in (0, 2)
    if rc == 0:
        nums = numbers_of(out.read_text())
        assert nums["s1"]["diff_fifth"]["method"] == "paired t"


def test_cli_errors(tmp_path, capsys):
    assert report.main([str(tmp_path / "missing.h5"), "-o", str(tmp_path / "r.html")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_question_of_run_files(report_html, runs):
    """A run file keeps its scenario's leading comment, so the report states the question the
    scenario file asks; the policy, made from the same file with --set, is asked from its
    settings rather than repeating the baseline's question."""
    from analysis import load
    assert load.open_result(runs["base"][0]).question() == "does everything work?"
    raw = report_html[0].read_text()
    section = text_of(raw[raw.index('<section id="question">'):raw.index('<section id="headlines">')])
    assert "Does everything work?" in section
    assert section.count("Does everything work?") == 1
    assert "What changes for those left out with patient core funding" in section


def test_levers_in_words(commonweal, runs, work, monkeypatch):
    """The report names a timeline cut as people say it, from sim/core/lever_text.def."""
    from analysis import engine
    monkeypatch.setenv("COMMONWEAL", commonweal)
    lv = engine.levers()
    assert summary.value_words("funding.scale.housing", 0.8, lv, 1.0) == \
        "the housing advice budget cut by 20%"
    assert summary.value_words("policy.timebank", True, lv) == "a time bank in every neighbourhood"
    assert summary.value_words("investment.mode", "competitive", lv) == \
        "competitive short-term grants"
    cut = work / "advice-cut.yaml"
    cut.write_text(f"base: {SOURCE_DIR / 'scenarios' / 'tiny.yaml'}\n"
                   "timeline:\n  - at: 0\n    set:\n      funding.scale.housing: 0.8\n")
    from conftest import run_cli
    out = work / "advice-cut_s1.h5"
    run_cli(commonweal, "run", cut, "-o", out, "--quiet", "--force", "--threads", 1, "--seed", 1)
    rep = report.Report([runs["base"][0], out])
    rep.compute()
    words = rep.scenario_words(rep.scens[1])
    assert "the housing advice budget cut by 20% from the first week" in words, words
    assert "0.80000000000000004" not in rep.html() and "funding.scale.housing" not in rep.lead_sentence()




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
