"""Uncertain assumptions: world fields given as distributions instead of values.

A planner rarely knows the renewal hazard or the incentive sensitivity exactly. Any
real-valued world field (a number, or a list of numbers such as ``renewal_hazard``) can be
given a distribution; :func:`complab.simulate` then draws it once per trial (or once per
group of ``trials_per_draw`` trials) from a stream keyed by the seed, the draw and the
field, so every KPI's spread includes the assumption's uncertainty and every plan compared
on the same seed sees the same draws (docs/model.md §11)::

    from complab import uncertainty as u

    s = scenario.with_({
        "world.segments.smb.renewal_hazard": u.LogNormal(median=[0.26, 0.17, 0.12, 0.10],
                                                         log_sd=0.2, high=1.0),
        "world.behaviour.incentive_sensitivity": u.Uniform(2, 10),
    })

In a scenario file the same is written in place of the value::

    renewal_hazard: {dist: lognormal, median: [0.26, 0.17, 0.12, 0.10], log_sd: 0.2, high: 1}

The distributions are a small public API (:class:`Normal`, :class:`LogNormal`,
:class:`Uniform`, :class:`Triangular`, :class:`Beta`; :func:`from_dict` reads the dict
form), so that fitted uncertainties plug straight in.

Rules
-----
- Every draw is the distribution's quantile function at one keyed uniform ``u``; a
  list-valued field uses one ``u`` for all its entries (a level shift: the whole hazard
  table moves together). Distributions with the same ``stream`` name share their ``u``
  (perfectly correlated); otherwise each field has its own.
- ``u`` takes 2**52 values strictly inside (0, 1), so each distribution has a finite
  attainable range, from its quantile at 2**-53 to its quantile at 1 - 2**-53. A scenario
  whose distribution can reach a value the field does not allow is refused when it is built,
  naming the value and the rule; normal and log-normal distributions take ``low`` and
  ``high`` to truncate them (the truncated distribution, drawn by inverse CDF) inside the
  allowed range.
- The scenario's world holds each uncertain field's median, which is what a run without
  the distribution would use (reports and memory estimates read it).
- Only real-valued fields can be uncertain: counts (headcounts, months, cycles) change the
  shape of the results and are compared or swept instead.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from scipy import special

__all__ = [
    "Beta",
    "Distribution",
    "LogNormal",
    "Normal",
    "Triangular",
    "Uniform",
    "draw",
    "from_dict",
    "uniforms",
]

#: The smallest and largest keyed uniform: ``(k + 0.5) / 2**52`` for k in [0, 2**52).
U_MIN = 2.0**-53
U_MAX = 1.0 - 2.0**-53

Param = float | tuple[float, ...]


def _shown(value: Any) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _param(value: Any, where: str) -> Param:
    """A number or a non-empty list of numbers, as a float or a tuple of floats."""
    if isinstance(value, (list, tuple, np.ndarray)):
        items = list(value)
        if not items:
            raise ValueError(f"{where}: an empty list; give a number or a list of numbers")
        return tuple(_number(v, f"{where}[{i}]") for i, v in enumerate(items))
    return _number(value, where)


def _number(value: Any, where: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(
        value, (int, float, np.integer, np.floating)
    ):
        raise ValueError(f"{where}: {value!r} is not a number")
    out = float(value)
    if not math.isfinite(out):
        raise ValueError(f"{where}: {value!r} is not a finite number")
    if abs(out) > _LARGEST:  # beyond any world field's value; its arithmetic could overflow
        raise ValueError(f"{where}: {value!r} is not within ±{_LARGEST:.0e}")
    return out


#: The largest parameter magnitude a distribution takes.
_LARGEST = 1e15


def _optional(value: Any, where: str) -> Param | None:
    return None if value is None else _param(value, where)


def _arr(p: Param | None, default: float) -> np.ndarray:
    return np.asarray(default if p is None else p, dtype=float)


class Distribution:
    """Base of the distributions a world field can take. Subclasses are frozen dataclasses
    whose parameters are numbers or lists of numbers (one per entry of a list field)."""

    kind: ClassVar[str] = ""
    stream: str | None

    # -- what subclasses provide ---------------------------------------------------------------
    def _ppf(self, u: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _check(self, where: str) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- shared ----------------------------------------------------------------------------------
    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            if f.name == "stream":
                continue
            value = getattr(self, f.name)
            if value is not None:
                object.__setattr__(self, f.name, _param(value, f"{self.kind}.{f.name}"))
        if self.stream is not None and (not isinstance(self.stream, str) or not self.stream):
            raise ValueError(f"{self.kind}.stream: {self.stream!r} is not a non-empty string")
        self.size  # noqa: B018 - raises for lists of different lengths
        self._check(self.kind)
        with np.errstate(all="ignore"):
            ends = np.asarray(self.ppf([U_MIN, 0.5, U_MAX]), dtype=float)
        if not np.all(np.isfinite(ends)):
            raise ValueError(
                f"{self.kind}: parameters {self.describe()} give values that are not finite "
                "numbers; narrow them"
            )

    @property
    def size(self) -> int | None:
        """Entries drawn: None for a number, the length of the list parameters otherwise."""
        lengths = {
            len(v)
            for f in dataclasses.fields(self)  # type: ignore[arg-type]
            if isinstance(v := getattr(self, f.name), tuple)
        }
        if len(lengths) > 1:
            raise ValueError(
                f"{self.kind}: list parameters have different lengths {sorted(lengths)}; "
                "give every list one entry per value of the field"
            )
        return lengths.pop() if lengths else None

    def ppf(self, u: Any) -> np.ndarray:
        """The quantile function at uniforms ``u`` (shape ``[n]``): values of shape ``[n]``
        for a number, ``[n, size]`` for a list (one ``u`` for every entry)."""
        u = np.asarray(u, dtype=float).reshape(-1)
        if self.size is None:
            return np.asarray(self._ppf(u), dtype=float).reshape(-1)
        return np.asarray(self._ppf(u[:, None]), dtype=float).reshape(len(u), self.size)

    def nominal(self) -> float | tuple[float, ...]:
        """The median: the value the scenario's world holds, and what a run without the
        distribution would use."""
        return _value(self.ppf([0.5])[0])

    def attainable(self) -> tuple[float | tuple[float, ...], float | tuple[float, ...]]:
        """The least and the greatest value a draw can take (at ``u`` = 2**-53 and
        1 - 2**-53)."""
        lo, hi = self.ppf([U_MIN, U_MAX])
        return _value(lo), _value(hi)

    def sample(self, n: int, rng: np.random.Generator | None = None) -> np.ndarray:
        """``n`` independent draws (for plots and checks; runs use keyed streams)."""
        rng = np.random.default_rng() if rng is None else rng
        return self.ppf(np.clip(rng.random(n), U_MIN, U_MAX))

    def scaled(self, factor: float) -> Distribution:
        """The distribution of ``factor`` times a draw (a relative edit ``"×1.1"``)."""
        if not factor > 0:
            raise ValueError(f"×{factor}: a distribution scales by a positive factor only")
        changes = {}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            if f.name in self._scale_free or f.name == "stream":
                continue
            value = getattr(self, f.name)
            if value is None:
                continue
            changes[f.name] = (
                tuple(v * factor for v in value) if isinstance(value, tuple) else value * factor
            )
        return dataclasses.replace(self, **changes)  # type: ignore[type-var]

    _scale_free: ClassVar[tuple[str, ...]] = ()

    def to_dict(self) -> dict[str, Any]:
        """The dict form a scenario file holds: ``{"dist": kind, parameter: value, ...}``
        (parameters left at None are left out)."""
        out: dict[str, Any] = {"dist": self.kind}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if value is None:
                continue
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out

    def describe(self) -> str:
        """One line, e.g. ``lognormal(median 0.26, log_sd 0.2, high 1)``."""
        parts = [
            f"{f.name} {_shown(getattr(self, f.name))}"
            for f in dataclasses.fields(self)  # type: ignore[arg-type]
            if getattr(self, f.name) is not None and f.name != "stream"
        ]
        return f"{self.kind}({', '.join(parts)})"

    def _nonnegative(self, name: str, where: str) -> None:
        for v in np.atleast_1d(_arr(getattr(self, name), 0.0)):
            if v < 0:
                raise ValueError(f"{where}.{name}: {_shown(float(v))} is not >= 0")

    def _ordered(self, low: str, high: str, where: str) -> None:
        lo, hi = np.broadcast_arrays(
            _arr(getattr(self, low), -np.inf), _arr(getattr(self, high), np.inf)
        )
        for a, b in zip(np.atleast_1d(lo), np.atleast_1d(hi), strict=True):
            if a > b:
                raise ValueError(
                    f"{where}.{high}: {_shown(float(b))} is below {low} {_shown(float(a))}; "
                    f"{low} <= {high} is required"
                )


def _value(row: np.ndarray) -> float | tuple[float, ...]:
    row = np.asarray(row, dtype=float)
    return float(row) if row.ndim == 0 else tuple(float(v) for v in row)


def _truncated_z(u: np.ndarray, zlo: np.ndarray, zhi: np.ndarray) -> np.ndarray:
    """Standard normal quantiles of ``u`` restricted to [zlo, zhi] (inverse CDF)."""
    plo, phi = special.ndtr(zlo), special.ndtr(zhi)
    z = special.ndtri(plo + u * (phi - plo))
    return np.clip(z, zlo, zhi)


def _check_mass(dist: Distribution, where: str, zlo: np.ndarray, zhi: np.ndarray) -> None:
    mass = special.ndtr(zhi) - special.ndtr(zlo)
    if not np.all(mass >= 1e-9):
        raise ValueError(
            f"{where}: low {_shown(dist.low)} and high {_shown(dist.high)} keep less than "  # type: ignore[attr-defined]
            "one in a billion of the distribution; put the bounds around its centre"
        )


@dataclass(frozen=True)
class Normal(Distribution):
    """Normal with ``mean`` and ``sd`` (>= 0; 0 is the fixed value ``mean``), optionally
    truncated to [``low``, ``high``]."""

    kind: ClassVar[str] = "normal"
    mean: Param
    sd: Param
    low: Param | None = None
    high: Param | None = None
    stream: str | None = None
    _scale_free: ClassVar[tuple[str, ...]] = ()

    def _check(self, where: str) -> None:
        self._nonnegative("sd", where)
        self._ordered("low", "high", where)
        mean, sd = np.broadcast_arrays(_arr(self.mean, 0), _arr(self.sd, 0))
        lo, hi = _arr(self.low, -np.inf), _arr(self.high, np.inf)
        fixed = sd == 0
        if np.any(fixed & ((mean < lo) | (mean > hi))):
            raise ValueError(
                f"{where}: sd 0 fixes the value at mean {_shown(self.mean)}, outside low/high"
            )
        with np.errstate(divide="ignore", invalid="ignore"):
            _check_mass(
                self,
                where,
                np.where(fixed, -1, (lo - mean) / sd),
                np.where(fixed, 1, (hi - mean) / sd),
            )

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        mean, sd = _arr(self.mean, 0), _arr(self.sd, 0)
        if self.low is None and self.high is None:
            return mean + sd * special.ndtri(u)
        lo, hi = _arr(self.low, -np.inf), _arr(self.high, np.inf)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = _truncated_z(u, (lo - mean) / sd, (hi - mean) / sd)
            x = np.where(sd > 0, mean + sd * z, mean)
        return np.clip(x, lo, hi)


@dataclass(frozen=True)
class LogNormal(Distribution):
    """Log-normal with ``median`` (> 0) and ``log_sd`` (>= 0: the sd of the log; 0 is the
    fixed value ``median``), optionally truncated to [``low``, ``high``]. A log-normal
    multiplier of a hazard table: give the table as ``median``."""

    kind: ClassVar[str] = "lognormal"
    median: Param  # type: ignore[assignment]
    log_sd: Param
    low: Param | None = None
    high: Param | None = None
    stream: str | None = None
    _scale_free: ClassVar[tuple[str, ...]] = ("log_sd",)

    def _check(self, where: str) -> None:
        for v in np.atleast_1d(_arr(self.median, 1)):  # type: ignore[arg-type]
            if not v > 0:
                raise ValueError(f"{where}.median: {_shown(float(v))} is not > 0")
        self._nonnegative("log_sd", where)
        self._nonnegative("low", where)
        for v in np.atleast_1d(_arr(self.high, 1)):
            if not v > 0:
                raise ValueError(
                    f"{where}.high: {_shown(float(v))} is not > 0 (a log-normal is positive)"
                )
        self._ordered("low", "high", where)
        med, sd = np.broadcast_arrays(_arr(self.median, 1), _arr(self.log_sd, 0))  # type: ignore[arg-type]
        lo, hi = _arr(self.low, 0), _arr(self.high, np.inf)
        fixed = sd == 0
        if np.any(fixed & ((med < lo) | (med > hi))):
            raise ValueError(
                f"{where}: log_sd 0 fixes the value at median {_shown(self.median)}, outside low/high"  # type: ignore[arg-type]
            )
        with np.errstate(divide="ignore", invalid="ignore"):
            zlo = np.where(fixed, -1, np.log(lo / med) / sd)
            zhi = np.where(fixed, 1, np.log(hi / med) / sd)
        _check_mass(self, where, zlo, zhi)

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        med, sd = _arr(self.median, 1), _arr(self.log_sd, 0)  # type: ignore[arg-type]
        if self.low is None and self.high is None:
            z = special.ndtri(u)
        else:
            lo, hi = _arr(self.low, 0), _arr(self.high, np.inf)
            with np.errstate(divide="ignore", invalid="ignore"):
                z = _truncated_z(u, np.log(lo / med) / sd, np.log(hi / med) / sd)
        with np.errstate(invalid="ignore"):
            x = med * np.exp(np.where(sd > 0, sd * z, 0.0))  # log_sd 0: the median exactly
        if self.low is not None or self.high is not None:
            x = np.clip(x, _arr(self.low, 0), _arr(self.high, np.inf))
        return x


@dataclass(frozen=True)
class Uniform(Distribution):
    """Uniform on [``low``, ``high``] (``low == high`` is the fixed value)."""

    kind: ClassVar[str] = "uniform"
    low: Param
    high: Param
    stream: str | None = None

    def _check(self, where: str) -> None:
        self._ordered("low", "high", where)

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        lo, hi = _arr(self.low, 0), _arr(self.high, 0)
        return lo + (hi - lo) * u


@dataclass(frozen=True)
class Triangular(Distribution):
    """Triangular on [``low``, ``high``] with its peak at ``mode``."""

    kind: ClassVar[str] = "triangular"
    low: Param
    mode: Param
    high: Param
    stream: str | None = None

    def _check(self, where: str) -> None:
        self._ordered("low", "mode", where)
        self._ordered("mode", "high", where)

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        lo, mode, hi = _arr(self.low, 0), _arr(self.mode, 0), _arr(self.high, 0)
        width = hi - lo
        left = lo + np.sqrt(np.maximum(u * width * (mode - lo), 0.0))
        right = hi - np.sqrt(np.maximum((1 - u) * width * (hi - mode), 0.0))
        return np.where(u * width < mode - lo, left, right)


@dataclass(frozen=True)
class Beta(Distribution):
    """Beta(``a``, ``b``) (both > 0) stretched to [``low``, ``high``] (default [0, 1]):
    for shares and probabilities. ``cap`` (optional) sets draws above it to it: a
    probability stretched beyond 1 (an estimate times a factor) that saturates at 1."""

    kind: ClassVar[str] = "beta"
    a: Param
    b: Param
    low: Param = 0.0
    high: Param = 1.0
    stream: str | None = None
    cap: Param | None = None
    _scale_free: ClassVar[tuple[str, ...]] = ("a", "b", "cap")

    def _check(self, where: str) -> None:
        for name in ("a", "b"):
            for v in np.atleast_1d(_arr(getattr(self, name), 1)):
                if not v > 0:
                    raise ValueError(f"{where}.{name}: {_shown(float(v))} is not > 0")
        self._ordered("low", "high", where)
        self._ordered("low", "cap", where)

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        lo, hi = _arr(self.low, 0), _arr(self.high, 1)
        x = lo + (hi - lo) * special.betaincinv(_arr(self.a, 1), _arr(self.b, 1), u)
        return x if self.cap is None else np.minimum(x, _arr(self.cap, np.inf))


KINDS: dict[str, type[Distribution]] = {
    c.kind: c for c in (Normal, LogNormal, Uniform, Triangular, Beta)
}


def from_dict(data: Mapping[str, Any], where: str = "distribution") -> Distribution:
    """A distribution from its dict form ``{"dist": kind, parameter: value, ...}``.

    Raises
    ------
    ValueError
        Naming ``where`` (the field's path), the key or value and what is allowed.
    """
    if isinstance(data, Distribution):
        return data
    if not isinstance(data, Mapping) or "dist" not in data:
        raise ValueError(f"{where}: {data!r} is not a distribution ({{dist: kind, ...}})")
    kind = data["dist"]
    if kind not in KINDS:
        raise ValueError(f"{where}.dist: {kind!r} is not one of {', '.join(KINDS)}")
    cls = KINDS[kind]
    names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    required = [
        f.name
        for f in dataclasses.fields(cls)  # type: ignore[arg-type]
        if f.default is dataclasses.MISSING
    ]
    unknown = [k for k in data if k != "dist" and k not in names]
    if unknown:
        raise ValueError(
            f"{where}: unknown key {unknown[0]!r} for a {kind} distribution (allowed: {', '.join(names)})"
        )
    missing = [k for k in required if k not in data]
    if missing:
        raise ValueError(
            f"{where}: a {kind} distribution needs {', '.join(required)}; {missing[0]!r} is missing"
        )
    try:
        return cls(**{k: v for k, v in data.items() if k != "dist"})
    except ValueError as err:
        text = str(err)
        if text.startswith(kind):
            text = text[len(kind) :].lstrip(".:")
            sep = "." if not text.startswith(" ") else ":"
            raise ValueError(f"{where}{sep}{text}") from None
        raise ValueError(f"{where}: {text}") from None
    except TypeError as err:
        raise ValueError(f"{where}: {err}") from None


def is_distribution(value: Any) -> bool:
    """A distribution object or its dict form."""
    return isinstance(value, Distribution) or (isinstance(value, Mapping) and "dist" in value)


# -- keyed draws -------------------------------------------------------------------------------
def stream_key(name: str) -> int:
    """A stable 64-bit key of a stream's name (BLAKE2b; the same on every platform and run)."""
    return int.from_bytes(hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest(), "little")


def uniforms(seed: int, stream: str, draws: Sequence[int] | np.ndarray) -> np.ndarray:
    """One uniform in (0, 1) per draw index, a pure function of (seed, stream, draw):
    Philox4x64 keyed by (seed, hash of the stream's name) at counter (draw, 0, 0, 0); never
    a sequence advanced from a shared state, so any subset of draws gives the same values."""
    key = np.array([seed, stream_key(stream)], dtype=np.uint64)
    out = np.empty(len(draws))
    bits = np.random.Philox(key=key)
    state = bits.state
    for i, g in enumerate(draws):
        state["state"]["counter"] = np.array([int(g), 0, 0, 0], dtype=np.uint64)
        state["buffer_pos"] = 4
        bits.state = state
        raw = int(bits.random_raw())
        out[i] = ((raw >> 12) + 0.5) * 2.0**-52
    return out


def draw(
    uncertain: Mapping[str, Distribution], seed: int, draws: Sequence[int] | np.ndarray
) -> dict[str, np.ndarray]:
    """Each uncertain field's values at the given draw indices: ``[n]`` or ``[n, size]``."""
    cache: dict[str, np.ndarray] = {}
    out = {}
    for path, dist in uncertain.items():
        name = dist.stream or path
        if name not in cache:
            cache[name] = uniforms(seed, name, draws)
        out[path] = dist.ppf(cache[name])
    return out
