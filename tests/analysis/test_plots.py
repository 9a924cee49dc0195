# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""Every plot function writes a non-empty image."""
import matplotlib.image as mpimg
import pytest

from analysis import engine, plots, stats, summary


def diff_rows(s):
    """The difference plot's rows, from `commonweal compare` as the report takes them."""
    files = s[0].files + s[1].files
    rows = engine.compare(files, by="quintile")["rows"]
    return [(r["group"], stats.from_compare(r)) for r in rows]


@pytest.fixture(scope="module")
def scens(runs):
    return summary.scenarios_from_files(runs["base"] + runs["policy"])


PLOTS = {
    "timeseries": lambda s, p: plots.timeseries(s, out=p),
    "timeseries_fifth": lambda s, p: plots.timeseries(
        s, nbhds=summary.most_deprived_fifth(s[0].first), out=p),
    "breakdowns_left_out": lambda s, p: plots.breakdowns(s, "left_out", out=p),
    "breakdowns_need": lambda s, p: plots.breakdowns(s, "need_rate", out=p),
    "unmet_need": lambda s, p: plots.unmet_need(s, out=p),
    "difference": lambda s, p: plots.difference(diff_rows(s), out=p),
    "by_decile": lambda s, p: plots.by_decile(s, out=p),
    "breakdown_age": lambda s, p: plots.breakdown(s, "left_out_by_age_band", "age_band", "age"),
    "heatmap": lambda s, p: plots.heatmap(s, out=p),
    "help_by_route": lambda s, p: plots.help_by_route(s, out=p),
    "groups_alive": lambda s, p: plots.groups_alive(s, out=p),
}


@pytest.mark.parametrize("name", sorted(PLOTS))
def test_plot_writes_image(name, scens, tmp_path, commonweal, monkeypatch):
    monkeypatch.setenv("COMMONWEAL", commonweal)
    out = tmp_path / f"{name}.png"
    fig = PLOTS[name](scens, out)
    if not out.exists():
        fig.savefig(out)
    plots.plt.close(fig)
    assert out.stat().st_size > 5000
    img = mpimg.imread(out)
    assert img.ndim == 3 and img.shape[0] > 200 and img.shape[1] > 300
    assert float(img[..., :3].std()) > 0.02          # not a blank canvas


def test_text_is_sized_for_a_projector():
    """14 pt at 96 dpi is 18.7 px: at least 14 px even when the page scales a plot to 3/4."""
    assert min(plots.STYLE[k] for k in ("font.size", "legend.fontsize", "xtick.labelsize",
                                         "ytick.labelsize", "axes.labelsize")) >= 14
    assert plots.STYLE["figure.dpi"] == 96


def test_labels_in_words_and_rates_not_below_zero(scens):
    fig = plots.unmet_need(scens)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    plots.plt.close(fig)
    assert "social care" in labels and not any("_" in x for x in labels)
    m, lo, hi = plots._ci_rows([[0.001, 0.5], [0.0, 0.4], [0.002, 0.45]])
    assert (lo >= 0).all() and lo[0] == 0.0 and hi[0] > 0


def test_single_run_plots(runs, tmp_path, commonweal, monkeypatch):
    monkeypatch.setenv("COMMONWEAL", commonweal)
    scens = summary.scenarios_from_files([runs["base"][0], runs["policy"][0]])
    for name in ("timeseries", "difference", "breakdowns_left_out"):
        out = tmp_path / f"{name}.svg"
        plots.plt.close(PLOTS[name](scens, out))
        assert out.stat().st_size > 5000 and out.read_text().lstrip().startswith("<?xml")
