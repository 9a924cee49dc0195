# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""Read Commonweal output files (docs/OUTPUT.md) into numpy arrays and tidy pandas frames.

A *run file* (`commonweal run`) holds one simulation; a *sweep file* (`commonweal sweep`, root
attribute kind = "sweep") holds many members, every metric with a leading `member` dimension and
a `/members` table (seed, replicate, design point, trajectory, complete, scenario text and one
column per varied parameter). Both are read through one object, `Result`, whose metrics always
have a leading member axis (of length 1 for a run file), so that the rest of the package never
needs to ask which kind it has.

    res = open_result("tiny.h5")
    arr = res.metric("left_out_rate")        # numpy [member, week, neighbourhood]
    df = tidy(res, "left_out_by_quintile")   # long frame with labels and the neighbourhood table
    da = res.dataarray("left_out_rate")      # xarray, the neighbourhoods' codes as coordinates
    da.swap_dims(neighbourhood="code").sel(code="E01012662")   # join to official tables by code
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

import h5py
import numpy as np
import pandas as pd

# Breakdown dimensions and the variable that labels them (written by sim/io/output.c).
LABEL_VARS = {
    "sector": "sector_name",
    "quintile": "quintile_name",
    "age_band": "age_band_name",
    "group_kind": "group_kind_name",
    "route": "route_name",
    "identity": "identity_name",   # not written in schema 1: labels are made below
    "decile": "decile_name",       # "decile 1" .. "decile 10"
    "fifth": "fifth_name",         # "fifth 1" .. "fifth 5"
    # (group, sector) pairs of the area breakdowns of unmet need, group-major
    "quintile_sector": "quintile_sector_name",
    "identity_sector": "identity_sector_name",
    "age_band_sector": "age_band_sector_name",
    "decile_sector": "decile_sector_name",
    "fifth_sector": "fifth_sector_name",
}
CORE_DIMS = ("member", "week", "neighbourhood")
# /neighbourhoods columns that label the neighbourhood dimension (name becomes neighbourhood_name;
# code and la_code, official LSOA and LA codes, are written when the table has them).
NEIGHBOURHOOD_COORDS = ("name", "code", "la", "la_name", "la_code", "deprivation", "decile")
RESOLVED_HEADER = "# Commonweal scenario, fully resolved"


def _str(v):
    """An HDF5 attribute or element as a Python str (bytes and numpy strings decoded)."""
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if isinstance(v, np.ndarray) and v.shape == ():
        return _str(v[()])
    return str(v)


def _py(v):
    """An attribute value as a plain Python scalar or list."""
    if isinstance(v, (bytes, np.bytes_)):
        return v.decode("utf-8", "replace")
    if isinstance(v, np.ndarray):
        return [_py(x) for x in v.tolist()] if v.ndim else _py(v[()])
    if isinstance(v, np.generic):
        return v.item()
    return v


def _dim_names(ds):
    """Names of the dimension scales attached to each axis of dataset ds ('' if none)."""
    names = []
    for d in ds.dims:
        keys = list(d.keys())
        if keys:
            names.append(keys[0])
        else:
            names.append(d.label or "")
    return names


def identity_labels(k):
    """Labels of the identity groups (schema 1 has no label variable; group 0 is the majority)."""
    return ["majority"] + [f"minority {i}" if k > 2 else "minority" for i in range(1, k)]


def scenario_question(text):
    """The question a scenario asks, from the leading comment of its text.

    The leading comment is the block of '#' lines before the first line of YAML. A paragraph that
    starts with 'Question:' is returned on its own (without the word); otherwise the whole
    comment, joined into sentences. The resolved header that `commonweal` writes
    ("# Commonweal scenario, fully resolved: ...") is not a question and is skipped. Returns ''
    when there is no comment.
    """
    lines = []
    for raw in (text or "").splitlines():
        s = raw.strip()
        if not s:
            lines.append("")
            continue
        if not s.startswith("#"):
            break
        if s.startswith(RESOLVED_HEADER):
            continue
        lines.append(s.lstrip("#").strip())
    paras, cur = [], []
    for ln in lines:
        if ln:
            cur.append(ln)
        elif cur:
            paras.append(" ".join(cur))
            cur = []
    if cur:
        paras.append(" ".join(cur))
    for p in paras:
        m = re.match(r"(?i)question:\s*(.*)", p)
        if m:
            q = m.group(1).strip()
            return q[:q.rindex("?") + 1] if "?" in q else q
    return " ".join(paras).strip()


def scenario_timeline(text):
    """The `timeline:` section of a resolved scenario text, as a list of lines ('' if none)."""
    out, inside = [], False
    for ln in (text or "").splitlines():
        if ln.startswith("timeline:"):
            inside = True
            continue
        if inside:
            if ln and not ln.startswith(" "):
                break
            if ln.strip():
                out.append(ln.rstrip())
    return out


@dataclass
class Result:
    """One output file, run or sweep, read lazily: metrics are read when asked for."""
    path: str
    kind: str                          # "run" or "sweep"
    attrs: dict                        # root attributes (plain Python values)
    weeks: np.ndarray                  # reported week numbers
    burn_in: np.ndarray                # bool per week
    neighbourhoods: pd.DataFrame       # index = neighbourhood
    members: pd.DataFrame              # index = member: seed, replicate, point, trajectory,
                                       #   complete, scenario_yaml, one column per varied path
    parameters: dict                   # /parameters attributes (run files; sweeps: first member)
    labels: dict                       # dim -> list of labels (str)
    coords: dict                       # dim -> coordinate values
    metric_names: list                 # datasets that are metrics
    method: str = ""                   # sweeps: grid | lhs | morris
    varied: list = field(default_factory=list)
    events: pd.DataFrame | None = None
    _cache: dict = field(default_factory=dict, repr=False)

    # ---- metrics -----------------------------------------------------------------------
    def metric_dims(self, name):
        """Dimension names of a metric, with the leading 'member'."""
        with h5py.File(self.path, "r") as f:
            dims = _dim_names(f[name])
        if self.kind != "sweep":
            dims = ["member"] + dims
        elif dims and dims[0] != "member":
            dims[0] = "member"
        return dims

    def metric(self, name):
        """A metric as a float64 array with a leading member axis: [member, week, ...]."""
        if name not in self._cache:
            if name not in self.metric_names:
                raise KeyError(f"{self.path}: no metric {name!r} "
                               f"(has {', '.join(self.metric_names[:8])}, ...)")
            with h5py.File(self.path, "r") as f:
                a = np.asarray(f[name][...], dtype=np.float64)
            if self.kind != "sweep":
                a = a[np.newaxis]
            self._cache[name] = a
        return self._cache[name]

    def metric_attrs(self, name):
        with h5py.File(self.path, "r") as f:
            return {k: _py(v) for k, v in f[name].attrs.items()
                    if k not in ("DIMENSION_LIST", "REFERENCE_LIST", "CLASS", "NAME")}

    def neighbourhood_coords(self):
        """Coordinates of the neighbourhood dimension from /neighbourhoods, as xarray takes them:
        {coordinate: ("neighbourhood", values)} for neighbourhood_name, code, la, la_name, la_code,
        deprivation and decile (those the file has)."""
        nb = self.neighbourhoods
        return {("neighbourhood_name" if c == "name" else c): ("neighbourhood", nb[c].to_numpy())
                for c in NEIGHBOURHOOD_COORDS if c in nb}

    def dataarray(self, name, members=None):
        """A metric as an xarray DataArray [member, week, ...] with its coordinates: week and
        burn_in, each breakdown's values and labels (`<dim>_label`), and on the neighbourhood
        dimension the /neighbourhoods columns (neighbourhood_coords), so that results join to
        official tables and boundary files by `code` (LSOA) or `la_code`."""
        import xarray as xr
        arr = self.metric(name)
        dims = self.metric_dims(name)
        mem = np.arange(self.n_members) if members is None else np.asarray(members)
        arr = arr[mem]
        coords = {"member": mem, "week": self.weeks, "burn_in": ("week", self.burn_in)}
        for d, n in zip(dims[2:], arr.shape[2:]):
            coords[d] = np.asarray(self.coords.get(d, np.arange(n)))
            if d in self.labels and d != "neighbourhood" and len(self.labels[d]) == n:
                coords[d + "_label"] = (d, list(self.labels[d]))
        if "neighbourhood" in dims:
            coords.update(self.neighbourhood_coords())
        return xr.DataArray(arr, dims=dims, coords=coords, name=name, attrs=self.metric_attrs(name))

    @property
    def n_members(self):
        return len(self.members)

    @property
    def complete_members(self):
        """Indices of the members to analyse (complete ones)."""
        return np.flatnonzero(self.members["complete"].to_numpy() != 0)

    @property
    def report_weeks(self):
        """Boolean mask of the weeks after the burn-in."""
        return ~self.burn_in

    def scenario_text(self, member=0):
        if "scenario_yaml" in self.members and isinstance(self.members["scenario_yaml"].iloc[member], str) \
                and self.members["scenario_yaml"].iloc[member]:
            return self.members["scenario_yaml"].iloc[member]
        return _str(self.attrs.get("scenario", ""))

    def question(self):
        """The question the file's scenario (or sweep) asks, from its leading comment."""
        for key in ("question", "scenario_question"):
            if self.attrs.get(key):
                return _str(self.attrs[key])
        texts = []
        if self.kind == "sweep":
            texts.append(_str(self.attrs.get("sweep_yaml", "")))
        for key in ("scenario_comment", "scenario_source", "scenario"):
            texts.append(_str(self.attrs.get(key, "")))
        if self.kind == "sweep" and len(self.members):
            texts.append(self.scenario_text(0))
        for t in texts:
            q = scenario_question(t)
            if q:
                return q
        return ""


def _read_table(group, n=None):
    cols = {}
    for key, ds in group.items():
        if not isinstance(ds, h5py.Dataset) or ds.ndim != 1:
            continue
        if h5py.check_string_dtype(ds.dtype) is not None or ds.dtype.kind in "OSU":
            cols[key] = [_str(x) for x in ds[...]]
        else:
            cols[key] = ds[...]
    return cols


def _read_members(f, n_members):
    if "members" not in f:
        return pd.DataFrame({"seed": [int(f.attrs.get("seed", 0))], "replicate": [0], "point": [0],
                             "trajectory": [-1], "complete": [int(f.attrs.get("complete", 1))],
                             "scenario_yaml": [""]},
                            index=pd.RangeIndex(1, name="member"))
    g = f["members"]
    cols = {}
    for key in g.keys():
        ds = g[key]
        if not isinstance(ds, h5py.Dataset):
            continue
        if h5py.check_string_dtype(ds.dtype) is not None or ds.dtype.kind in "OSU":
            cols[key] = [_str(x) for x in ds[...]]
        else:
            v = ds[...]
            choices = ds.attrs.get("choices")
            if choices is not None:
                choices = [_str(c) for c in np.atleast_1d(choices)]
                if len(choices) == 1 and "," in choices[0]:
                    choices = [c.strip() for c in choices[0].split(",")]
                cols[key] = [choices[int(round(x))] if 0 <= int(round(x)) < len(choices) else x
                             for x in v]
                cols[key + ".index"] = v
            else:
                cols[key] = v
    df = pd.DataFrame(cols)
    df.index.name = "member"
    for key, default in (("replicate", 0), ("point", 0), ("trajectory", -1), ("complete", 1),
                         ("seed", 0), ("scenario_yaml", "")):
        if key not in df:
            df[key] = default
    return df


def open_result(path):
    """Open a run or sweep file: provenance, coordinates, labels, neighbourhoods, members."""
    path = os.fspath(path)
    with h5py.File(path, "r") as f:
        attrs = {k: _py(v) for k, v in f.attrs.items()}
        kind = _str(attrs.get("kind", "run")) or "run"
        kind = "sweep" if kind == "sweep" else "run"
        weeks = f["week"][...].astype(np.int64)
        burn = f["burn_in"][...].astype(bool) if "burn_in" in f else weeks < 0
        coords, labels = {}, {}
        for key in f.keys():
            ds = f[key]
            if isinstance(ds, h5py.Dataset) and ds.attrs.get("CLASS") is not None \
                    and _str(ds.attrs.get("CLASS")) == "DIMENSION_SCALE":
                coords[key] = ds[...]
        for dim, var in LABEL_VARS.items():
            if dim not in coords:
                continue
            if var in f:
                labels[dim] = [_str(x) for x in f[var][...]]
            elif dim == "identity":
                labels[dim] = identity_labels(len(coords[dim]))
            else:
                labels[dim] = [str(v) for v in coords[dim]]
        if "neighbourhood" in coords:
            labels.setdefault("neighbourhood", [str(v) for v in coords["neighbourhood"]])
        nb = pd.DataFrame(_read_table(f["neighbourhoods"])) if "neighbourhoods" in f \
            else pd.DataFrame(index=range(len(coords.get("neighbourhood", []))))
        nb.index.name = "neighbourhood"
        if "name" in nb:
            labels["neighbourhood"] = list(nb["name"])
        skip = set(coords) | set(LABEL_VARS.values()) | {"burn_in"}
        metric_names = [k for k, ds in f.items()
                        if isinstance(ds, h5py.Dataset) and k not in skip
                        and ds.dtype.kind == "f" and ds.ndim >= 1]
        n_members = f[metric_names[0]].shape[0] if (kind == "sweep" and metric_names) else 1
        members = _read_members(f, n_members)
        params = {k: _py(v) for k, v in f["parameters"].attrs.items()} if "parameters" in f else {}
        events = pd.DataFrame(_read_table(f["events"])) if "events" in f else None
        if events is not None and "kind" in f["events"]:
            meanings = _str(f["events/kind"].attrs.get("flag_meanings", "")).split()
            values = list(np.atleast_1d(f["events/kind"].attrs.get("flag_values", range(len(meanings)))))
            names = dict(zip([int(v) for v in values], meanings))
            events["kind_name"] = [names.get(int(k), str(k)) for k in events["kind"]]
            pnames = list(params)
            events["parameter"] = [pnames[d] if k in ("parameter_change", "crisis_start", "crisis_end")
                                   and 0 <= d < len(pnames) else ""
                                   for k, d in zip(events["kind_name"], events["detail"])]
            events = events.drop(columns=["event"], errors="ignore")
        varied = attrs.get("varied", [])
        if isinstance(varied, h5py.Empty):          # a sweep that varies nothing (seeds only)
            varied = []
        elif isinstance(varied, str):
            varied = [v for v in re.split(r"[,\s]+", varied) if v]
    return Result(path=path, kind=kind, attrs=attrs, weeks=weeks, burn_in=burn, neighbourhoods=nb,
                  members=members, parameters=params, labels=labels, coords=coords,
                  metric_names=metric_names, method=_str(attrs.get("method", "")),
                  varied=list(varied), events=events)


def provenance(res):
    """What a reader needs to reproduce or audit a file, as an ordered dict of strings."""
    a = res.attrs
    out = {
        "file": os.path.basename(res.path),
        "kind": res.kind,
        "program version": _str(a.get("program_version", "unknown")),
        "schema version": _str(a.get("schema_version", "")),
        "started": _str(a.get("start_time", "")),
        "host": _str(a.get("host", "")),
        "residents": _str(a.get("n_residents", "")),
        "weeks": f"{int((~res.burn_in).sum())} reported after {int(res.burn_in.sum())} burn-in",
        "complete": "yes" if int(a.get("complete", 1)) else "no (a partial file)",
    }
    if res.kind == "sweep":
        done = res.complete_members
        out["method"] = res.method
        out["varied"] = ", ".join(res.varied)
        out["common random numbers"] = "on" if int(a.get("common_random_numbers", 0)) else "off"
        out["members"] = f"{len(done)} complete of {res.n_members}"
        out["seeds"] = _seed_text(res.members["seed"].to_numpy()[done])
    else:
        out["seed"] = _str(a.get("seed", ""))
        out["threads"] = _str(a.get("threads", ""))
        out["wall time"] = f"{float(a.get('wall_seconds', 0)):.1f} s"
    return out


def _seed_text(seeds):
    seeds = sorted(set(int(s) for s in seeds))
    if len(seeds) <= 8:
        return ", ".join(map(str, seeds))
    return f"{len(seeds)} distinct, {seeds[0]} .. {seeds[-1]}"


def tidy(res, name, members=None, drop_burn_in=True, labels=True):
    """A metric as a long pandas frame: one row per member x week x neighbourhood x breakdown.

    Columns: member, seed, replicate, point (and the varied parameters for a sweep), week,
    neighbourhood with the /neighbourhoods table joined (name, la, la_name, deprivation, decile,
    population as nb_population), the breakdown dimension with its label column `<dim>_label`,
    and `value`. Only complete members are included unless `members` lists others.
    """
    arr = res.metric(name)
    dims = res.metric_dims(name)
    mem = res.complete_members if members is None else np.asarray(members)
    arr = arr[mem]
    wk = np.ones(len(res.weeks), bool) if not drop_burn_in else res.report_weeks
    arr = arr[:, wk]
    weeks = res.weeks[wk]
    coords = [mem, weeks] + [np.asarray(res.coords.get(d, np.arange(n)))
                             for d, n in zip(dims[2:], arr.shape[2:])]
    grid = np.meshgrid(*[np.arange(len(c)) for c in coords], indexing="ij")
    df = pd.DataFrame({d: np.asarray(c)[g.ravel()] for d, c, g in zip(dims, coords, grid)})
    df["value"] = arr.ravel()
    mcols = [c for c in ["seed", "replicate", "point", "trajectory"] + list(res.varied)
             if c in res.members]
    df = df.join(res.members[mcols], on="member")
    if "neighbourhood" in dims:
        nb = res.neighbourhoods.rename(columns={"population": "nb_population"})
        df = df.join(nb, on="neighbourhood")
    if labels:
        for d in dims[2:]:
            if d in res.labels and d != "neighbourhood":
                c = list(res.coords.get(d, range(len(res.labels[d]))))
                lab = dict(zip(c, res.labels[d]))
                df[d + "_label"] = df[d].map(lab)
    return df


def members_frame(res):
    """The member table (complete members), with the varied parameters."""
    return res.members.iloc[res.complete_members]
