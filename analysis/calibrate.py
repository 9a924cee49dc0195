# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""Calibration by fitting, not by hand: history matching, then a local refinement.

    /usr/bin/python3 -m analysis.calibrate FIT.yaml [-o SCENARIO.yaml] [--diagnostics DIR]
        [--jobs N] [--commonweal EXE] [--workdir DIR] [--set PATH=VALUE]... [--check] [--write-docs]

FIT.yaml (e.g. scenarios/calibration/fit.yaml) names the parameters that have no published
value, each with a prior range, and the run size of the fit. The targets are the validation
set's baseline rows (analysis.validate.VALIDATION: C1-C5, levels and ratios; one definition of
each). The fit:

1. **Waves of history matching** (Craig et al. 1997; Vernon et al. 2010; Andrianakis et al. 2015
   for stochastic models). Each wave is a `commonweal sweep` with `method: lhs` over the current
   box. For each target a quadratic emulator is fitted by least squares to every run inside the
   box (each replicate a row, so its residual variance is the variance of one run over seeds
   plus the emulator's lack of fit). A dense sample of the box is emulated and a point is
   implausible when, for any target, I = |E(x) - z| / sqrt(s^2 + V(x)) > cutoff (3, Pukelsheim's
   rule): z the published figure, s the tolerance (the validation band's half-width on the side
   the model falls, over band_sigmas = 2: the band is taken as a 95% interval; 0 on an open
   side), V(x) the emulator's predictive variance for one run. The next wave's Latin hypercube
   fills the bounding box of the points kept.
2. **Refinement**: the point of the last wave's non-implausible sample that minimises
   sum_t ((E_t(x) - z_t) / s_t)^2, polished by scipy.optimize.minimize (L-BFGS-B) inside the box.
3. **Check**: the chosen point is run with several seeds (a sweep that varies nothing); each
   target's mean, 95% t interval over seeds and implausibility (with the seeds' variance) go into
   the diagnostics.

Outputs: the calibrated parameter set as a scenario file (only the fitted parameters, with a
header saying how it was made: `base:` it from a scenario), DIR/fit.json, DIR/fit.md (the
tables), DIR/implausibility.png and DIR/marginals.png. `--write-docs` also writes fit.md's
tables into docs/CALIBRATION.md between its markers. `--check` checks FIT.yaml and prints the
plan without running. Exit status 0 after a fit, 2 for bad input (FILE:LINE:COL: message) or a
failed run.

Only parameters whose params.def doc marks the value as an [assumption] can be fitted; a
parameter with a source, a lever, a crisis switch or a set-up parameter is refused.
"""
from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import pathlib
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field

import h5py
import numpy as np
import yaml

from . import screen, validate

TOP = pathlib.Path(__file__).resolve().parent.parent
REFUSED_ROLES = {"lever": "a policy lever (an input a user chooses, not a behaviour to fit)",
                 "crisis": "a crisis switch", "setup": "a set-up parameter (the area and the run's shape)",
                 "shape": "a parameter that shapes the output file", "seed": "the seed",
                 "output": "an output setting"}
KEYS = ("base", "set", "targets", "parameters", "waves", "candidates", "cutoff", "band_sigmas",
        "verify_replicates", "seed", "output", "diagnostics")
DOC_BEGIN = "<!-- calibration:begin (python3 -m analysis.calibrate scenarios/calibration/fit.yaml --write-docs) -->"
DOC_END = "<!-- calibration:end -->"


class FitError(Exception):
    """Bad input: the message names FILE:LINE:COL where it can."""


# ---- targets: the validation set's rows -------------------------------------------------

@dataclass
class Target:
    id: str
    pattern: str
    z: float            # the published figure
    low: float          # the validation band
    high: float
    fmt: str
    text: str
    source: str
    fn: object = None   # validate's per-member function of a validate.Runs

    def sigma(self, model, band_sigmas):
        """The tolerance on the side the model falls: the band's half-width there over
        band_sigmas (inf on an open side: no penalty)."""
        edge = self.high if model >= self.z else self.low
        return abs(edge - self.z) / band_sigmas if math.isfinite(edge) else math.inf


def _published(text, fmt, lo, hi):
    m = re.fullmatch(r"\s*(-?\d+(?:\.\d+)?)\s*(%?)\s*", text)
    if m:
        v = float(m.group(1))
        return v / 100.0 if m.group(2) else v
    if math.isfinite(lo) and math.isfinite(hi):
        return 0.5 * (lo + hi)
    raise ValueError(f"no published figure in {text!r}")


def validation_targets():
    """{id: Target} for the validation set's rows measured on the baseline."""
    out = {}
    for tid, src, pattern, fn, text, lo, hi, fmt, source in validate.VALIDATION:
        if src != "baseline":
            continue
        try:
            z = _published(text, fmt, lo, hi)
        except ValueError:
            continue
        out[tid] = Target(tid, pattern, z, lo, hi, fmt, text, source, fn)
    return out


def default_target_ids():
    return [t for t in validation_targets() if t.startswith("C")]


# ---- FIT.yaml ---------------------------------------------------------------------------

@dataclass
class Param:
    name: str
    low: float
    high: float
    default: float
    why: str = ""


@dataclass
class Spec:
    path: pathlib.Path
    base: pathlib.Path
    params: list
    targets: list
    set: dict = field(default_factory=dict)
    waves: list = field(default_factory=lambda: [(50, 1), (50, 1)])   # (design points, replicates)
    candidates: int = 20000
    cutoff: float = 3.0
    band_sigmas: float = 2.0
    verify_replicates: int = 5
    seed: int = 1
    output: pathlib.Path = None
    diagnostics: pathlib.Path = None

    @property
    def names(self):
        return [p.name for p in self.params]

    @property
    def prior(self):
        return np.array([[p.low, p.high] for p in self.params], dtype=float)


def catalogue(exe):
    """{path: entry} from `commonweal params --json` (type, default, min, max, roles, doc)."""
    p = subprocess.run([exe, "params", "--json"], capture_output=True, text=True)
    if p.returncode != 0:
        raise FitError(f"{exe} params --json failed ({p.returncode}): {p.stderr.strip()}")
    return {e["path"]: e for e in json.loads(p.stdout)}


def _at(path, node, msg):
    m = node.start_mark
    return FitError(f"{path}:{m.line + 1}:{m.column + 1}: {msg}")


def _scalar(path, node, what):
    if not isinstance(node, yaml.ScalarNode):
        raise _at(path, node, f"{what}: expected a single value")
    return yaml.constructor.SafeConstructor().construct_object(node)


def _number(path, node, what, lo=-math.inf, hi=math.inf, integer=False):
    v = _scalar(path, node, what)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or (integer and not isinstance(v, int)):
        raise _at(path, node, f"{what} = {node.value!r} is not {'a whole number' if integer else 'a number'}")
    if not lo <= v <= hi:
        raise _at(path, node, f"{what} = {v} is outside {lo}..{hi}")
    return v


def _mapping(path, node, what):
    if not isinstance(node, yaml.MappingNode):
        raise _at(path, node, f"{what}: expected a mapping (key: value)")
    out = {}
    for k, v in node.value:
        key = _scalar(path, k, f"a key of {what}")
        if key in out:
            raise _at(path, k, f"{what}: '{key}' is given twice")
        out[str(key)] = (k, v)
    return out


def fittable(entry):
    """None when a catalogue entry can be fitted, else why not."""
    for role in entry.get("roles", []):
        if role in REFUSED_ROLES:
            return f"it is {REFUSED_ROLES[role]}"
    if entry.get("type") != "real":
        return f"it is a {entry.get('type')} parameter (only real-valued ones are fitted)"
    if not screen.unpublished(entry.get("doc", "")):
        return (f"it has a published source, not an [assumption] or MODEL.md's design only "
                f"(params.def: {entry.get('doc', '')!r})")
    return None


def load_spec(path, params_catalogue, targets=None):
    """Read and check FIT.yaml against the parameter catalogue; raise FitError naming
    FILE:LINE:COL."""
    path = pathlib.Path(path)
    targets = validation_targets() if targets is None else targets
    try:
        text = path.read_text()
    except OSError as e:
        raise FitError(f"{path}: {e.strerror}")
    try:
        root = yaml.compose(text)
    except yaml.MarkedYAMLError as e:
        m = e.problem_mark or e.context_mark
        where = f"{path}:{m.line + 1}:{m.column + 1}" if m else str(path)
        raise FitError(f"{where}: not YAML: {e.problem or e.context}")
    if root is None:
        raise FitError(f"{path}:1:1: empty file (expected base: and parameters:)")
    top = _mapping(path, root, "the fit file")
    for key, (kn, _) in top.items():
        if key not in KEYS:
            raise _at(path, kn, f"unknown key '{key}' (expected one of {', '.join(KEYS)})")
    for need in ("base", "parameters"):
        if need not in top:
            raise FitError(f"{path}:1:1: no '{need}:'")
    here = path.resolve().parent
    bn = top["base"][1]
    base = here / str(_scalar(path, bn, "base"))
    if not base.is_file():
        raise _at(path, bn, f"base: {base} is not a file")

    sets = {}
    if "set" in top:
        for key, (kn, vn) in _mapping(path, top["set"][1], "set").items():
            if key not in params_catalogue:
                raise _at(path, kn, f"set: '{key}' is not a parameter (commonweal params lists them)")
            sets[key] = _scalar(path, vn, f"set: {key}")

    pnode = top["parameters"][1]
    if not isinstance(pnode, yaml.SequenceNode) or not pnode.value:
        raise _at(path, pnode, "parameters: expected a list of {name, min, max}")
    params = []
    for item in pnode.value:
        fields = _mapping(path, item, "a parameter")
        for key, (kn, _) in fields.items():
            if key not in ("name", "min", "max", "why"):
                raise _at(path, kn, f"unknown key '{key}' of a parameter (expected name, min, max, why)")
        for need in ("name", "min", "max"):
            if need not in fields:
                raise _at(path, item, f"a parameter needs '{need}'")
        nn = fields["name"][1]
        name = str(_scalar(path, nn, "name"))
        if name not in params_catalogue:
            raise _at(path, nn, f"'{name}' is not a parameter (commonweal params lists them)")
        entry = params_catalogue[name]
        why_not = fittable(entry)
        if why_not:
            raise _at(path, nn, f"'{name}' cannot be fitted: {why_not}")
        if name in (p.name for p in params):
            raise _at(path, nn, f"'{name}' is listed twice")
        if name in sets:
            raise _at(path, nn, f"'{name}' is also fixed in set:")
        pmin, pmax = float(entry["min"]), float(entry["max"])
        lo = _number(path, fields["min"][1], f"{name} min")
        hi = _number(path, fields["max"][1], f"{name} max")
        for v, node, side in ((lo, fields["min"][1], "min"), (hi, fields["max"][1], "max")):
            if not pmin <= v <= pmax:
                raise _at(path, node, f"{name} {side} = {v} is outside the parameter's range {pmin:g}..{pmax:g}")
        if not lo < hi:
            raise _at(path, fields["min"][1], f"{name}: min {lo} must be below max {hi}")
        why = str(_scalar(path, fields["why"][1], "why")) if "why" in fields else ""
        params.append(Param(name, float(lo), float(hi), float(entry["default"]), why))

    tids = [t for t in targets if t.startswith("C")] or list(targets)
    if "targets" in top:
        tn = top["targets"][1]
        if not isinstance(tn, yaml.SequenceNode) or not tn.value:
            raise _at(path, tn, "targets: expected a list of target ids (analysis.validate: C1, C2a, ...)")
        tids = []
        for n in tn.value:
            t = str(_scalar(path, n, "a target"))
            if t not in targets:
                raise _at(path, n, f"'{t}' is not a baseline target of analysis.validate "
                                   f"(expected one of {', '.join(targets)})")
            tids.append(t)
    spec = Spec(path=path, base=base, params=params, targets=[targets[t] for t in tids], set=sets)

    if "waves" in top:
        wn = top["waves"][1]
        if not isinstance(wn, yaml.SequenceNode) or not wn.value:
            raise _at(path, wn, "waves: expected a list of {n, replicates}")
        spec.waves = []
        for item in wn.value:
            f = _mapping(path, item, "a wave")
            for key, (kn, _) in f.items():
                if key not in ("n", "replicates"):
                    raise _at(path, kn, f"unknown key '{key}' of a wave (expected n, replicates)")
            if "n" not in f:
                raise _at(path, item, "a wave needs 'n' (Latin-hypercube points)")
            n = _number(path, f["n"][1], "n", len(params) + 3, 100000, integer=True)
            r = _number(path, f["replicates"][1], "replicates", 1, 1000, integer=True) if "replicates" in f else 1
            spec.waves.append((int(n), int(r)))
    elif len(params) + 3 > min(n for n, _ in spec.waves):
        raise _at(path, pnode, f"{len(params)} parameters: give waves: with n >= {len(params) + 3}")
    for key, lo, hi, integer in (("candidates", 100, 10 ** 7, True), ("cutoff", 0.1, 100, False),
                                 ("band_sigmas", 0.5, 10, False), ("verify_replicates", 2, 1000, True),
                                 ("seed", 0, 2 ** 53 - 1, True)):
        if key in top:
            setattr(spec, key, _number(path, top[key][1], key, lo, hi, integer))
    for key in ("output", "diagnostics"):
        if key in top:
            setattr(spec, key, here / str(_scalar(path, top[key][1], key)))
    if spec.output is None:
        spec.output = here / "calibrated.yaml"
    if spec.diagnostics is None:
        spec.diagnostics = spec.output.with_name(spec.output.stem + "-fit")
    return spec


# ---- the emulator -----------------------------------------------------------------------

class Emulator:
    """A least-squares quadratic in the box-scaled inputs: full (with interactions) when there
    are at least twice as many runs as terms, else without interactions, else linear.
    predict() gives the mean and the predictive variance of one run."""

    def __init__(self, X, y, box):
        self.lo, self.hi = box[:, 0], box[:, 1]
        ok = np.isfinite(y) & np.all(np.isfinite(X), axis=1)
        X, y = X[ok], y[ok]
        k = X.shape[1]
        self.kind = "linear"
        for kind, p in (("full", 1 + 2 * k + k * (k - 1) // 2), ("diagonal", 1 + 2 * k)):
            if len(y) >= 2 * p:
                self.kind = kind
                break
        F = self._features(X)
        n, p = F.shape
        if n <= p:
            raise ValueError(f"{n} usable runs for an emulator of {p} terms")
        self.G = np.linalg.pinv(F.T @ F)
        self.beta = self.G @ F.T @ y
        res = y - F @ self.beta
        self.s2 = float(res @ res / (n - p))
        h = np.einsum("ij,jk,ik->i", F, self.G, F)
        loo = res / np.maximum(1 - h, 1e-9)
        sst = float(((y - y.mean()) ** 2).sum())
        self.r2 = 1.0 - float(res @ res) / sst if sst > 0 else math.nan
        self.loo_rmse = float(np.sqrt(np.mean(loo ** 2)))
        self.n, self.p = n, p

    def _features(self, X):
        u = 2.0 * (np.asarray(X, float) - self.lo) / np.where(self.hi > self.lo, self.hi - self.lo, 1) - 1.0
        cols = [np.ones(len(u))] + [u[:, j] for j in range(u.shape[1])]
        if self.kind in ("diagonal", "full"):
            cols += [u[:, j] ** 2 for j in range(u.shape[1])]
        if self.kind == "full":
            cols += [u[:, i] * u[:, j] for i in range(u.shape[1]) for j in range(i + 1, u.shape[1])]
        return np.column_stack(cols)

    def predict(self, X):
        F = self._features(np.atleast_2d(X))
        mean = F @ self.beta
        var = self.s2 * (1.0 + np.einsum("ij,jk,ik->i", F, self.G, F))
        return mean, var


def implausibility(targets, model, var, band_sigmas):
    """I[..., t] = |model - z_t| / sqrt(s_t^2 + var) with s_t the tolerance on the model's side."""
    model, var = np.atleast_2d(model), np.atleast_2d(var)
    out = np.zeros(model.shape)
    for j, t in enumerate(targets):
        z = t.z
        above = model[:, j] >= z
        s_hi = (t.high - z) / band_sigmas if math.isfinite(t.high) else math.inf
        s_lo = (z - t.low) / band_sigmas if math.isfinite(t.low) else math.inf
        s = np.where(above, s_hi, s_lo)
        d = np.abs(model[:, j] - z)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[:, j] = np.where(np.isinf(s), 0.0, d / np.sqrt(np.where(np.isinf(s), 1.0, s) ** 2 + var[:, j]))
        out[~np.isfinite(model[:, j]), j] = math.inf
    return out


def misfit(targets, model, band_sigmas):
    """sum_t ((model_t - z_t) / s_t)^2 (the refinement's objective; no variance term)."""
    return (implausibility(targets, model, np.zeros_like(np.atleast_2d(model)), band_sigmas) ** 2).sum(1)


# ---- engines: who runs the members ------------------------------------------------------

class FunctionEngine:
    """Runs "members" with a Python function in place of the simulator (tests, demonstrations):
    fn(X[m, k]) -> Y[m, T], plus Gaussian noise of sd noise (per target). The Latin hypercube is
    scipy's."""

    def __init__(self, fn, noise=0.0):
        self.fn, self.noise = fn, noise

    def _y(self, X, seed):
        Y = np.asarray(self.fn(X), float)
        rng = np.random.default_rng(seed)
        return Y + rng.normal(0.0, 1.0, Y.shape) * np.broadcast_to(self.noise, Y.shape[1:])

    def wave(self, box, n, replicates, seed, tag):
        from scipy.stats import qmc
        u = qmc.LatinHypercube(d=len(box), seed=seed).random(n)
        pts = box[:, 0] + u * (box[:, 1] - box[:, 0])
        X = np.repeat(pts, replicates, axis=0)
        return X, self._y(X, seed + 1), np.repeat(np.arange(n), replicates)

    def point(self, values, replicates, seed, tag):
        return self._y(np.repeat(np.atleast_2d(values), replicates, axis=0), seed)


def read_sweep(path, names, targets):
    """(X[m, k], Y[m, T], point[m]) of a sweep file's complete members: each target through
    analysis.validate's definition."""
    runs = validate.Runs(str(path))
    with h5py.File(path, "r") as f:
        done = f["members/complete"][()] != 0
        point = f["members/point"][()][done]
        X = np.column_stack([f["members"][n][()][done] for n in names]) if names else np.zeros((done.sum(), 0))
    Y = np.column_stack([np.asarray(t.fn(runs), float) for t in targets])
    return X.astype(float), Y, point


class SweepEngine:
    """Runs the members with `commonweal sweep`: an LHS sweep per wave, a sweep that varies
    nothing (seeds only) for the chosen point."""

    def __init__(self, exe, spec, workdir, jobs=2):
        self.exe, self.spec, self.work, self.jobs = exe, spec, pathlib.Path(workdir), jobs
        self.files = []

    def _sweep(self, tag, lines):
        yml, out = self.work / f"{tag}.yaml", self.work / f"{tag}.h5"
        yml.write_text("\n".join(lines) + "\n")
        cmd = [self.exe, "sweep", str(yml), "-o", str(out), "--force", "--quiet", "--jobs", str(self.jobs)]
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stderr.strip()}")
        self.files.append(str(out))
        return out

    def _head(self, replicates, seed, extra=None):
        lines = [f"# {self.spec.path.name}: made by analysis.calibrate", f"base: {self.spec.base}",
                 f"replicates: {replicates}", "common_random_numbers: true", "set:"]
        sets = dict(self.spec.set)
        sets.update(extra or {})
        sets["run.seed"] = seed
        lines += [f"  {k}: {_yaml_value(v)}" for k, v in sets.items()]
        return lines

    def wave(self, box, n, replicates, seed, tag):
        lines = self._head(replicates, seed) + ["method: lhs", f"n: {n}", "vary:"]
        lines += [f"  {p}: {{min: {lo!r}, max: {hi!r}}}" for p, (lo, hi) in zip(self.spec.names, box)]
        return read_sweep(self._sweep(tag, lines), self.spec.names, self.spec.targets)

    def point(self, values, replicates, seed, tag):
        extra = dict(zip(self.spec.names, (float(v) for v in values)))
        return read_sweep(self._sweep(tag, self._head(replicates, seed, extra)), [], self.spec.targets)[1]


def _yaml_value(v):
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    return json.dumps(v) if isinstance(v, str) and (not v or any(c in v for c in ":#{}[],'\"")) else str(v)


# ---- the fit ----------------------------------------------------------------------------

def _inside(X, box):
    eps = 1e-12 * (box[:, 1] - box[:, 0])
    return np.all((X >= box[:, 0] - eps) & (X <= box[:, 1] + eps), axis=1)


def _point_means(Y, point):
    pts = np.unique(point)
    return np.array([np.nanmean(Y[point == p], axis=0) for p in pts])


def fit(spec, engine, log=print):
    """History matching over spec.waves, then the refinement and the check. Returns the
    diagnostics as a dict (numpy-free: JSON-ready)."""
    prior = spec.prior
    k, T = len(spec.params), len(spec.targets)
    box = prior.copy()
    Xall, Yall = np.zeros((0, k)), np.zeros((0, T))
    waves = []
    rng = np.random.default_rng(spec.seed)
    kept = None
    for w, (n, reps) in enumerate(spec.waves):
        seed = spec.seed + 1000 * (w + 1)
        log(f"wave {w + 1}: {n} points x {reps} replicates in a box of "
            f"{np.prod((box[:, 1] - box[:, 0]) / (prior[:, 1] - prior[:, 0])):.3g} of the prior")
        X, Y, point = engine.wave(box, n, reps, seed, f"wave{w + 1}")
        Xall, Yall = np.vstack([Xall, X]), np.vstack([Yall, Y])
        use = _inside(Xall, box)
        ems = [Emulator(Xall[use], Yall[use, j], box) for j in range(T)]
        cand = box[:, 0] + rng.random((spec.candidates, k)) * (box[:, 1] - box[:, 0])
        mv = [e.predict(cand) for e in ems]
        I = implausibility(spec.targets, np.column_stack([m for m, _ in mv]),
                           np.column_stack([v for _, v in mv]), spec.band_sigmas)
        imax = I.max(1)
        keep = imax <= spec.cutoff
        fallback = not keep.any()
        kept = cand[keep] if not fallback else cand[np.argsort(imax)[:max(1, spec.candidates // 100)]]
        # the runs of this wave, replicates averaged, against the targets
        Xp = _point_means(X, point)
        Yp = _point_means(Y, point)
        Irun = implausibility(spec.targets, Yp, np.tile([e.s2 for e in ems], (len(Yp), 1)), spec.band_sigmas)
        waves.append({
            "wave": w + 1, "points": int(len(Xp)), "replicates": int(reps), "members": int(len(X)),
            "box": box.tolist(), "runs_in_box": int(use.sum()),
            "box_share_of_prior": float(np.prod((box[:, 1] - box[:, 0]) / (prior[:, 1] - prior[:, 0]))),
            "emulators": {t.id: {"kind": e.kind, "terms": e.p, "runs": e.n, "r2": e.r2, "loo_rmse": e.loo_rmse,
                                 "run_sd": math.sqrt(e.s2)} for t, e in zip(spec.targets, ems)},
            "candidates": int(spec.candidates), "kept_share": float(keep.mean()), "fallback": bool(fallback),
            "run_implausibility_max": Irun.max(1).tolist(),
            "run_points": Xp.tolist(),
            "runs_below_cutoff": int((Irun.max(1) <= spec.cutoff).sum()),
            "most_implausible_target": {t.id: int((Irun.argmax(1) == j).sum()) for j, t in enumerate(spec.targets)},
        })
        log(f"  kept {keep.mean():.1%} of the box (emulated); {waves[-1]['runs_below_cutoff']} of {len(Xp)} "
            f"points' runs at I <= {spec.cutoff:g}" + ("; NONE kept: the next box surrounds the least "
                                                       "implausible 1%" if fallback else ""))
        span = kept.max(0) - kept.min(0)
        pad = 0.05 * (prior[:, 1] - prior[:, 0])
        box = np.column_stack([np.maximum(prior[:, 0], kept.min(0) - np.maximum(0.05 * span, pad * 0.2)),
                               np.minimum(prior[:, 1], kept.max(0) + np.maximum(0.05 * span, pad * 0.2))])
    last_box = np.array(waves[-1]["box"])

    # refinement over the last wave's emulators
    from scipy.optimize import minimize

    def emulate(x):
        return np.array([e.predict(x)[0][0] for e in ems])[None, :]

    obj_kept = misfit(spec.targets, np.column_stack([e.predict(kept)[0] for e in ems]), spec.band_sigmas)
    starts = kept[np.argsort(obj_kept)[:5]]
    best, best_f = None, math.inf
    for x0 in starts:
        r = minimize(lambda x: float(misfit(spec.targets, emulate(x), spec.band_sigmas)[0]), x0,
                     method="L-BFGS-B", bounds=[tuple(b) for b in last_box])
        if r.fun < best_f:
            best, best_f = r.x, float(r.fun)
    log(f"refined: misfit {best_f:.3g} on the emulators at "
        + ", ".join(f"{p.name}={v:.4g}" for p, v in zip(spec.params, best)))

    # the check: the chosen point over seeds
    R = spec.verify_replicates
    Yc = np.asarray(engine.point(best, R, spec.seed + 999, "check"), float)
    em_at = [e.predict(best) for e in ems]
    rows = []
    for j, t in enumerate(spec.targets):
        v = Yc[:, j][np.isfinite(Yc[:, j])]
        mean = float(v.mean()) if len(v) else math.nan
        sd = float(v.std(ddof=1)) if len(v) > 1 else math.nan
        half = float(validate._t975(len(v) - 1) * sd / math.sqrt(len(v))) if len(v) > 1 else math.nan
        Ij = float(implausibility([t], [[mean]], [[sd ** 2 if math.isfinite(sd) else 0.0]], spec.band_sigmas)[0, 0])
        rows.append({"id": t.id, "pattern": t.pattern, "model": mean, "ci": [mean - half, mean + half],
                     "sd": sd, "n": int(len(v)), "emulated": float(em_at[j][0][0]), "target": t.text, "z": t.z,
                     "low": t.low, "high": t.high, "format": t.fmt, "tolerance_sd": [
                         (t.z - t.low) / spec.band_sigmas, (t.high - t.z) / spec.band_sigmas],
                     "implausibility": Ij, "inside_band": bool(t.low <= mean <= t.high), "source": t.source})
    params = []
    for i, p in enumerate(spec.params):
        params.append({"name": p.name, "prior": [p.low, p.high], "default": p.default, "why": p.why,
                       "non_implausible": [float(kept[:, i].min()), float(kept[:, i].max())],
                       "kept_5_95": [float(np.quantile(kept[:, i], 0.05)), float(np.quantile(kept[:, i], 0.95))],
                       "chosen": float(best[i]), "kept_sample": kept[:, i][:2000].tolist()})
    return {"fit_file": str(spec.path), "base": str(spec.base), "set": spec.set, "seed": spec.seed,
            "cutoff": spec.cutoff, "band_sigmas": spec.band_sigmas, "waves": waves,
            "non_implausible_share_of_prior": float(waves[-1]["box_share_of_prior"] * waves[-1]["kept_share"]),
            "refinement": {"method": "L-BFGS-B on the last wave's quadratic emulators, from the 5 best kept points",
                           "misfit_emulated": best_f},
            "check": {"replicates": R, "seed": spec.seed + 999}, "targets": rows, "parameters": params}


# ---- outputs ----------------------------------------------------------------------------

def _sig(v, digits=4):
    return float(f"{v:.{digits}g}")


def scenario_text(spec, diag, program=""):
    """The calibrated parameters as a scenario file: a header saying how it was made, then the
    fitted parameters nested by their YAML paths."""
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    size = ", ".join(f"{k}={v}" for k, v in spec.set.items()) or "the base scenario's size"
    waves = " then ".join(f"{w['points']} x {w['replicates']}" for w in diag["waves"])
    inside = sum(r["inside_band"] for r in diag["targets"])
    rel = os.path.relpath(spec.path, TOP) if str(spec.path.resolve()).startswith(str(TOP)) else str(spec.path)
    head = [
        "# Calibrated behavioural parameters: fitted, not set by hand. Do not edit; rerun",
        f"#   /usr/bin/python3 -m analysis.calibrate {rel}",
        "#",
        f"# Made {when}{' by ' + program if program else ''}: history matching (analysis/calibrate.py)",
        f"# against {', '.join(t.id for t in spec.targets)} of analysis.validate (published figures),",
        f"# waves of {waves} Latin-hypercube members at {size}, implausibility cutoff",
        f"# {spec.cutoff:g}; then the emulators' best point, checked over {diag['check']['replicates']} seeds:",
        f"# {inside} of {len(diag['targets'])} targets inside their validation band at this size.",
        "# Only [assumption] parameters are here; every other value is its default or the",
        "# scenario's. A scenario uses them with `base: calibrated.yaml` (docs/CALIBRATION.md).",
    ]
    for p in diag["parameters"]:
        head.append(f"#   {p['name']}: prior {p['prior'][0]:g}-{p['prior'][1]:g}, non-implausible "
                    f"{p['non_implausible'][0]:.3g}-{p['non_implausible'][1]:.3g}, default {p['default']:g}")
    tree = {}
    for p in diag["parameters"]:
        node = tree
        parts = p["name"].split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = _sig(p["chosen"])
    return "\n".join(head) + "\n" + yaml.safe_dump(tree, default_flow_style=False, sort_keys=False)


def tables(diag):
    """The fit's Markdown tables: targets at the calibrated point, parameters, waves."""
    num = validate._num
    lines = ["| # | pattern | model (calibrated) | 95% CI over seeds | target | tolerance (1 s.d.) | implausibility | in band |",
             "|---|---|---|---|---|---|---|---|"]
    for r in diag["targets"]:
        lo, hi = r["tolerance_sd"]
        tol = " / ".join(("-" + num(lo, r["format"]) if math.isfinite(lo) else "open",
                          "+" + num(hi, r["format"]) if math.isfinite(hi) else "open"))
        lines.append(f"| {r['id']} | {r['pattern']} | {num(r['model'], r['format'])} | "
                     f"{num(r['ci'][0], r['format'])} to {num(r['ci'][1], r['format'])} | {r['target']} | {tol} | "
                     f"{r['implausibility']:.2f} | {'yes' if r['inside_band'] else '**no**'} |")
    lines += ["", "| parameter | prior range | non-implausible range | 5-95% of kept | chosen | default |",
              "|---|---|---|---|---|---|"]
    for p in diag["parameters"]:
        lines.append(f"| `{p['name']}` | {p['prior'][0]:g}-{p['prior'][1]:g} | {p['non_implausible'][0]:.4g}-"
                     f"{p['non_implausible'][1]:.4g} | {p['kept_5_95'][0]:.4g}-{p['kept_5_95'][1]:.4g} | "
                     f"{p['chosen']:.4g} | {p['default']:g} |")
    lines += ["", "| wave | members | box share of prior | emulator R² (lowest) | kept share of box | points with runs at I <= cutoff |",
              "|---|---|---|---|---|---|"]
    for w in diag["waves"]:
        r2 = min((e["r2"] for e in w["emulators"].values() if math.isfinite(e["r2"])), default=math.nan)
        lines.append(f"| {w['wave']} | {w['points']} x {w['replicates']} | {w['box_share_of_prior']:.3g} | {r2:.2f} | "
                     f"{w['kept_share']:.1%}{' (none: fallback)' if w['fallback'] else ''} | "
                     f"{w['runs_below_cutoff']} of {w['points']} |")
    lines += ["", f"Non-implausible space: {diag['non_implausible_share_of_prior']:.3g} of the prior box "
                  f"(cutoff {diag['cutoff']:g}, band = +-{diag['band_sigmas']:g} tolerance s.d.)."]
    return "\n".join(lines)


def plot(diag, outdir):
    """implausibility.png (the runs' largest implausibility per wave) and marginals.png (the
    kept points' marginals against the prior, the chosen value marked)."""
    import matplotlib
    matplotlib.use("Agg")
    from . import plots
    plt = plots.plt
    outdir = pathlib.Path(outdir)
    with plt.rc_context(plots.STYLE):
        fig, ax = plt.subplots(figsize=(8, 5))
        for w in diag["waves"]:
            v = np.minimum(np.array(w["run_implausibility_max"]), 50)
            x = w["wave"] + np.linspace(-0.25, 0.25, len(v)) if len(v) > 1 else [w["wave"]]
            ax.scatter(x, v, s=18, color=plots.COLORS[(w["wave"] - 1) % len(plots.COLORS)], alpha=0.8)
            ax.text(w["wave"], max(v.max(), diag["cutoff"]) * 1.15,
                    f"kept {w['kept_share']:.0%}", ha="center", fontsize=12)
        ax.axhline(diag["cutoff"], color="#666666", lw=1, ls="--", label=f"cutoff {diag['cutoff']:g}")
        ax.set_yscale("log")
        ax.set_xticks([w["wave"] for w in diag["waves"]])
        ax.set_xlabel("wave")
        ax.set_ylabel("largest implausibility of a point's runs")
        ax.legend(loc="upper right")
        ax.set_title("History matching: implausibility per wave")
        fig.tight_layout()
        fig.savefig(outdir / "implausibility.png", dpi=96, bbox_inches="tight")
        plt.close(fig)
        ps = diag["parameters"]
        cols = min(3, len(ps))
        rows = math.ceil(len(ps) / cols)
        fig, axes = plt.subplots(rows, cols, figsize=(5 * cols, 3.6 * rows), squeeze=False)
        for ax, p in zip(axes.ravel(), ps):
            ax.hist(p["kept_sample"], bins=25, range=tuple(p["prior"]), color=plots.COLORS[0], alpha=0.8)
            ax.axvline(p["chosen"], color=plots.COLORS[1], lw=2, label="chosen")
            ax.axvline(p["default"], color="#666666", lw=1, ls=":", label="default")
            ax.set_xlim(*p["prior"])
            ax.set_title(p["name"], fontsize=12)
            ax.tick_params(labelsize=11)
        for ax in axes.ravel()[len(ps):]:
            ax.axis("off")
        axes.ravel()[0].legend(fontsize=10)
        fig.suptitle("Non-implausible points of the last wave (x axis: prior range)")
        fig.tight_layout()
        fig.savefig(outdir / "marginals.png", dpi=96, bbox_inches="tight")
        plt.close(fig)


def write_outputs(spec, diag, program=""):
    spec.output.parent.mkdir(parents=True, exist_ok=True)
    spec.diagnostics.mkdir(parents=True, exist_ok=True)
    spec.output.write_text(scenario_text(spec, diag, program))
    (spec.diagnostics / "fit.json").write_text(json.dumps(diag, indent=1, default=float, allow_nan=True) + "\n")
    md = tables(diag)
    (spec.diagnostics / "fit.md").write_text(f"# Calibration fit: {spec.path.name}\n\n{md}\n")
    plot(diag, spec.diagnostics)
    return md


def write_docs(md, header):
    doc = TOP / "docs" / "CALIBRATION.md"
    text = doc.read_text()
    if DOC_BEGIN not in text or DOC_END not in text:
        raise FitError(f"{doc}: no {DOC_BEGIN} ... {DOC_END} block")
    a, b = text.index(DOC_BEGIN) + len(DOC_BEGIN), text.index(DOC_END)
    doc.write_text(text[:a] + "\n" + header + "\n\n" + md + "\n" + text[b:])


# ---- command line -----------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(prog="python3 -m analysis.calibrate", description=__doc__.split("\n\n")[0])
    ap.add_argument("fit", help="the fit file, e.g. scenarios/calibration/fit.yaml")
    ap.add_argument("-o", "--output", help="the scenario file to write (default: the fit file's output:)")
    ap.add_argument("--diagnostics", help="folder for fit.json, fit.md and the plots (default: the fit file's)")
    ap.add_argument("--jobs", type=int, default=2, help="members run at once (default 2)")
    ap.add_argument("--commonweal", help="the program (default $COMMONWEAL or build/commonweal)")
    ap.add_argument("--workdir", help="keep the sweep files here (default: a temporary folder)")
    ap.add_argument("--set", action="append", default=[], metavar="PATH=VALUE",
                    help="override the fit's set: (run size) for every member")
    ap.add_argument("--check", action="store_true", help="check the fit file and print the plan; run nothing")
    ap.add_argument("--write-docs", action="store_true", help="also write the tables into docs/CALIBRATION.md")
    a = ap.parse_args(argv)
    exe = a.commonweal or os.environ.get("COMMONWEAL") or str(TOP / "build" / "commonweal")
    if not os.access(exe, os.X_OK):
        print(f"analysis.calibrate: no commonweal program at {exe} (build it, or give --commonweal)", file=sys.stderr)
        return 2
    try:
        cat = catalogue(exe)
        spec = load_spec(a.fit, cat)
        for kv in a.set:
            key, sep, val = kv.partition("=")
            if not sep or key.strip() not in cat:
                raise FitError(f"--set {kv!r}: expected PATH=VALUE with a parameter's path")
            if key.strip() in spec.names:
                raise FitError(f"--set {kv!r}: {key.strip()} is a fitted parameter")
            spec.set[key.strip()] = yaml.safe_load(val.strip())
        if a.output:
            spec.output = pathlib.Path(a.output).resolve()
            if not a.diagnostics:
                spec.diagnostics = spec.output.with_name(spec.output.stem + "-fit")
        if a.diagnostics:
            spec.diagnostics = pathlib.Path(a.diagnostics).resolve()
    except FitError as e:
        print(f"analysis.calibrate: {e}", file=sys.stderr)
        return 2
    members = sum(n * r for n, r in spec.waves) + spec.verify_replicates
    print(f"{spec.path}: {len(spec.params)} parameters ({', '.join(spec.names)}) to "
          f"{', '.join(t.id for t in spec.targets)}; waves {', '.join(f'{n} x {r}' for n, r in spec.waves)}"
          f" + {spec.verify_replicates} seeds at the chosen point = {members} members at "
          f"{', '.join(f'{k}={v}' for k, v in spec.set.items()) or 'the base size'}")
    if a.check:
        return 0
    tmp = None if a.workdir else tempfile.TemporaryDirectory(prefix="cw-calibrate-")
    work = pathlib.Path(a.workdir or tmp.name)
    work.mkdir(parents=True, exist_ok=True)
    try:
        program = subprocess.run([exe, "--version"], capture_output=True, text=True).stdout.strip()
        diag = fit(spec, SweepEngine(exe, spec, work, a.jobs))
        diag["program"] = program
        md = write_outputs(spec, diag, program)
        if a.write_docs:
            size = ", ".join(f"{k}={v}" for k, v in spec.set.items()) or "the base scenario's size"
            write_docs(md, f"Generated by `python3 -m analysis.calibrate {os.path.relpath(spec.path, TOP)} "
                           f"--write-docs` ({program}; {size}); do not edit by hand.")
    except (RuntimeError, OSError, ValueError, KeyError, FitError) as e:
        print(f"analysis.calibrate: {e}", file=sys.stderr)
        return 2
    print(tables(diag))
    print(f"wrote {spec.output} and {spec.diagnostics}/ (fit.json, fit.md, implausibility.png, marginals.png)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
