# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""The C library (libcommonweal.so) from Python, through ctypes.

    from commonweal import Simulation
    with Simulation("scenarios/tiny.yaml", set={"population.residents_per_neighbourhood": 200}) as sim:
        for _ in range(10):
            sim.step()
        print(sim.metric("left_out_rate"))         # numpy array [neighbourhood]

The library is found from COMMONWEAL_LIBRARY (a path), next to the
`commonweal` program on PATH (PREFIX/bin -> PREFIX/lib), in a build tree of
this checkout (build*/), or by the system's loader (ldconfig). Errors are
CommonwealError with the library's message.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import glob
import os
import shutil

import numpy as np

__all__ = ["CommonwealError", "Simulation", "metrics", "library", "version"]


class CommonwealError(Exception):
    """A failed library call: str() is the library's message; .status its cw_status code."""

    def __init__(self, message, status=0):
        super().__init__(message)
        self.status = status


class _Options(ctypes.Structure):
    # include/commonweal/commonweal.h's cw_options, field for field
    _fields_ = [("threads", ctypes.c_int), ("memory_limit", ctypes.c_size_t), ("force", ctypes.c_int)]


class _MetricDesc(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("long_name", ctypes.c_char_p),
                ("breakdown", ctypes.c_char_p), ("per_neighbourhood", ctypes.c_int),
                ("units", ctypes.c_char * 32), ("has_min", ctypes.c_int), ("has_max", ctypes.c_int),
                ("valid_min", ctypes.c_double), ("valid_max", ctypes.c_double)]


def _candidates():
    env = os.environ.get("COMMONWEAL_LIBRARY")
    if env:
        yield env
        return
    exe = shutil.which("commonweal")
    if exe:
        prefix = os.path.dirname(os.path.dirname(os.path.realpath(exe)))
        for sub in ("lib", "lib64", "lib/x86_64-linux-gnu"):
            yield os.path.join(prefix, sub, "libcommonweal.so")
        yield os.path.join(os.path.dirname(os.path.realpath(exe)), "libcommonweal.so")  # a build tree
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    yield from sorted(glob.glob(os.path.join(here, "build*", "libcommonweal.so")))
    found = ctypes.util.find_library("commonweal")
    if found:
        yield found


_lib = None


def library():
    """The loaded ctypes.CDLL (loaded on first use)."""
    global _lib
    if _lib is not None:
        return _lib
    tried = []
    for path in _candidates():
        if os.path.sep in path and not os.path.exists(path):
            tried.append(path)
            continue
        try:
            lib = ctypes.CDLL(path)
        except OSError as e:
            tried.append(f"{path} ({e})")
            continue
        _declare(lib)
        _lib = lib
        return lib
    raise CommonwealError("libcommonweal.so not found; build with -DCOMMONWEAL_SHARED=ON and "
                          "cmake --install, or set COMMONWEAL_LIBRARY. Tried: " + ", ".join(tried))


def _declare(lib):
    P, I, S = ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p
    sigs = {
        "cw_version": (S, []), "cw_strstatus": (S, [I]),
        "cw_scenario_new": (P, []), "cw_scenario_free": (None, [P]),
        "cw_scenario_load": (I, [P, S]), "cw_scenario_set": (I, [P, S]),
        "cw_scenario_errmsg": (S, [P]), "cw_scenario_check": (I, [P]),
        "cw_sim_create": (I, [P, ctypes.POINTER(_Options), ctypes.POINTER(P)]),
        "cw_sim_free": (None, [P]), "cw_sim_errmsg": (S, [P]), "cw_sim_step": (I, [P]),
        "cw_sim_weeks_done": (I, [P]), "cw_sim_weeks_total": (I, [P]),
        "cw_sim_residents": (ctypes.c_uint64, [P]), "cw_sim_neighbourhoods": (I, [P]),
        "cw_sim_open_output": (I, [P, S, I]), "cw_sim_close_output": (I, [P, I]),
        "cw_sim_set_history": (I, [P, S]),
        "cw_metric_count": (I, []), "cw_metric_describe": (I, [I, ctypes.POINTER(_MetricDesc)]),
        "cw_sim_metric_shape": (I, [P, S, ctypes.POINTER(ctypes.c_size_t), ctypes.POINTER(ctypes.c_size_t)]),
        "cw_sim_metric": (ctypes.c_long, [P, S, ctypes.POINTER(ctypes.c_float), ctypes.c_size_t]),
    }
    for name, (res, args) in sigs.items():
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = res, args


def version():
    """The library's version (git describe at build time)."""
    return library().cw_version().decode()


def metrics():
    """Every metric: name, long_name, units, breakdown ('' for none), per_neighbourhood, range."""
    lib, out = library(), []
    for i in range(lib.cw_metric_count()):
        d = _MetricDesc()
        lib.cw_metric_describe(i, ctypes.byref(d))
        out.append({"name": d.name.decode(), "long_name": d.long_name.decode(), "units": d.units.decode(),
                    "breakdown": d.breakdown.decode(), "per_neighbourhood": bool(d.per_neighbourhood),
                    "valid_min": d.valid_min if d.has_min else None,
                    "valid_max": d.valid_max if d.has_max else None})
    return out


def _value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


class Simulation:
    """A simulation of one scenario (a YAML file), with --set style overrides.

    set: {"path": value} applied after loading, range-checked by the library.
    threads: OpenMP threads (0 = the runtime's default).
    """

    def __init__(self, scenario, set=None, threads=1, seed=None):  # noqa: A002 (the CLI's name)
        lib = library()
        self._lib, self._sim = lib, None
        sc = lib.cw_scenario_new()
        if not sc:
            raise MemoryError("cw_scenario_new")
        try:
            self._check_sc(sc, lib.cw_scenario_load(sc, os.fsencode(os.fspath(scenario))))
            for path, value in (set or {}).items():
                self._check_sc(sc, lib.cw_scenario_set(sc, f"{path}={_value(value)}".encode()))
            if seed is not None:
                self._check_sc(sc, lib.cw_scenario_set(sc, f"run.seed={int(seed)}".encode()))
            opt = _Options(threads=int(threads))
            sim = ctypes.c_void_p()
            st = lib.cw_sim_create(sc, ctypes.byref(opt), ctypes.byref(sim))
            self._sim = sim.value
            if st:
                msg = lib.cw_sim_errmsg(self._sim).decode() if self._sim else lib.cw_strstatus(st).decode()
                self.close()
                raise CommonwealError(msg, st)
        finally:
            lib.cw_scenario_free(sc)

    def _check_sc(self, sc, st):
        if st:
            raise CommonwealError(self._lib.cw_scenario_errmsg(sc).decode(), st)

    def _check(self, st):
        if st:
            raise CommonwealError(self._lib.cw_sim_errmsg(self._handle()).decode(), st)

    def _handle(self):
        if not self._sim:
            raise CommonwealError("the simulation is closed")
        return self._sim

    def step(self, weeks=1):
        """Simulate `weeks` weeks (appending each to the output, if one is open)."""
        for _ in range(weeks):
            self._check(self._lib.cw_sim_step(self._handle()))
        return self

    def run(self):
        """Simulate every remaining week."""
        return self.step(self.weeks_total - self.weeks_done)

    @property
    def weeks_done(self):
        return self._lib.cw_sim_weeks_done(self._handle())

    @property
    def weeks_total(self):
        return self._lib.cw_sim_weeks_total(self._handle())

    @property
    def residents(self):
        return int(self._lib.cw_sim_residents(self._handle()))

    @property
    def neighbourhoods(self):
        return self._lib.cw_sim_neighbourhoods(self._handle())

    def metric(self, name):
        """The latest week's values of a metric: float32 array [neighbourhood?, breakdown?]."""
        sim = self._handle()
        rows, cols = ctypes.c_size_t(), ctypes.c_size_t()
        self._check(self._lib.cw_sim_metric_shape(sim, name.encode(), ctypes.byref(rows), ctypes.byref(cols)))
        desc = next(m for m in metrics() if m["name"] == name)
        out = np.empty(rows.value * cols.value, dtype=np.float32)
        n = self._lib.cw_sim_metric(sim, name.encode(),
                                    out.ctypes.data_as(ctypes.POINTER(ctypes.c_float)), out.size)
        if n < 0:
            raise CommonwealError(f"metric {name}: no week simulated yet (call step() first)")
        shape = ([rows.value] if desc["per_neighbourhood"] else []) + ([cols.value] if desc["breakdown"] else [])
        return out.reshape(shape)

    def open_output(self, path, force=False, history=None):
        """Write the run to PATH (as PATH.partial until close_output(complete=True))."""
        if history is not None:
            self._check(self._lib.cw_sim_set_history(self._handle(), history.encode()))
        self._check(self._lib.cw_sim_open_output(self._handle(), os.fsencode(os.fspath(path)), int(force)))

    def close_output(self, complete=True):
        self._check(self._lib.cw_sim_close_output(self._handle(), int(complete)))

    def close(self):
        if self._sim:
            self._lib.cw_sim_free(self._sim)
            self._sim = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001 (interpreter shutdown)
            pass
