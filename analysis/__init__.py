# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""Commonweal analysis: load run and sweep files, plot them, write a what-if report.

Use Debian's interpreter, /usr/bin/python3 (it sees python3-h5py, numpy, pandas, matplotlib):

    from analysis import load
    res = load.open_result("baseline.h5")          # a run file or a sweep file
    df = load.tidy(res, "left_out_rate")           # one row per member x week x neighbourhood

    /usr/bin/python3 -m analysis.report baseline.h5 policy.h5 -o report.html
    /usr/bin/python3 -m analysis.morris sweep.h5 -o morris.png

Modules: load (files -> arrays and tidy frames), stats (Student t without scipy), summary
(scenarios, replicates, paired comparisons), plots (matplotlib; no backend forced on import),
report (the HTML report), morris (elementary-effects screening), datasets (open_run /
open_sweep: xarray Datasets with named coordinates), binding (Simulation: the C library
through ctypes).

Installed with pip (analysis/pyproject.toml) the same code is the package `commonweal`:

    import commonweal
    ds = commonweal.open_run("baseline.h5")
    with commonweal.Simulation("scenarios/tiny.yaml", set={"run.seed": 3}) as sim:
        sim.step(10)
        sim.metric("left_out_rate")
    /usr/bin/python3 -m commonweal.report baseline.h5 policy.h5 -o report.html
"""

__version__ = "0.1.0"
__all__ = ["load", "stats", "summary", "plots", "report", "morris", "sobol", "discover", "drift", "validate",
           "datasets", "binding",
           "open_run", "open_sweep", "Simulation", "CommonwealError", "metrics"]

_LAZY = {"open_run": "datasets", "open_sweep": "datasets", "Simulation": "binding",
         "CommonwealError": "binding", "metrics": "binding"}


def __getattr__(name):
    """open_run, Simulation, ... on first use: `import commonweal` loads neither xarray nor the library."""
    import importlib
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    if name in __all__:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
