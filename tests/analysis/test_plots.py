"""Every plot function writes a non-empty image."""
import matplotlib.image as mpimg
import pytest

from analysis import plots, summary


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
    "difference": lambda s, p: plots.difference(s, out=p),
    "heatmap": lambda s, p: plots.heatmap(s, out=p),
    "help_by_route": lambda s, p: plots.help_by_route(s, out=p),
    "groups_alive": lambda s, p: plots.groups_alive(s, out=p),
}


@pytest.mark.parametrize("name", sorted(PLOTS))
def test_plot_writes_image(name, scens, tmp_path):
    out = tmp_path / f"{name}.png"
    fig = PLOTS[name](scens, out)
    plots.plt.close(fig)
    assert out.stat().st_size > 5000
    img = mpimg.imread(out)
    assert img.ndim == 3 and img.shape[0] > 200 and img.shape[1] > 300
    assert float(img[..., :3].std()) > 0.02          # not a blank canvas


def test_single_run_plots(runs, tmp_path):
    scens = summary.scenarios_from_files([runs["base"][0], runs["policy"][0]])
    for name in ("timeseries", "difference", "breakdowns_left_out"):
        out = tmp_path / f"{name}.svg"
        plots.plt.close(PLOTS[name](scens, out))
        assert out.stat().st_size > 5000 and out.read_text().lstrip().startswith("<?xml")
