"""Commonweal analysis: load run and sweep files, plot them, write a what-if report.

Use Debian's interpreter, /usr/bin/python3 (it sees python3-h5py, numpy, pandas, matplotlib):

    from analysis import load
    res = load.open_result("baseline.h5")          # a run file or a sweep file
    df = load.tidy(res, "left_out_rate")           # one row per member x week x neighbourhood

    /usr/bin/python3 -m analysis.report baseline.h5 policy.h5 -o report.html
    /usr/bin/python3 -m analysis.morris sweep.h5 -o morris.png

Modules: load (files -> arrays and tidy frames), stats (Student t without scipy), summary
(scenarios, replicates, paired comparisons), plots (matplotlib, Agg), report (the HTML report),
morris (elementary-effects screening).
"""

__all__ = ["load", "stats", "summary", "plots", "report", "morris"]
