"""Scenarios: the simulated world (segments, products, headcount, behaviour) and its plans.

A :class:`Scenario` is immutable. Build one from the presets (:mod:`complab.presets`),
from a dict (:meth:`Scenario.from_dict`), or edit one with :meth:`Scenario.with_`, which
takes dotted paths such as ``"world.segments.smb.win_rate"``. Every field is checked when
the scenario is built; a bad value raises ``ValueError`` naming its path, the value and
what is allowed.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from complab import _core
from complab.plans import Plan

ROLES = ("ae", "sdr", "csm")


@dataclass(frozen=True)
class Product:
    """A product: its ACV as a multiple of the segment median, and how it is priced."""

    name: str = "core"
    acv_scale: float = 1.0
    usage_priced: bool = False


@dataclass(frozen=True)
class Segment:
    """A customer segment (MODEL.md §3). Rates are per month unless named otherwise."""

    name: str
    initial_accounts: int
    acv_median: float
    acv_log_sd: float
    renewal_hazard: tuple[float, ...]
    csm_coverage: float
    health_start: float = 0.5
    health_base: float = 0.6
    health_reversion: float = 0.2
    health_noise: float = 0.05
    usage_drift: float = 0.0
    usage_noise: float = 0.0
    csql_rate: float = 0.0
    upsell_fraction: float = 0.2
    sales_cycle_months: int = 3
    win_rate: float = 0.2
    expansion_win_rate: float = 0.5
    opportunity_share: float = 1.0
    ae_headcount: int = 1
    csm_headcount: int = 1


@dataclass(frozen=True)
class Effort:
    """Effort shares in fixed mode and the reference shares they are measured against."""

    csm_adoption: float = 0.8
    csm_adoption_ref: float = 0.8
    ae_new_business: float = 0.8
    ae_new_business_ref: float = 0.8
    ae_overpromise: float = 0.0


@dataclass(frozen=True)
class World:
    """Everything but the plans: time, segments, products, headcount, behaviour."""

    segments: tuple[Segment, ...]
    months: int = 36
    period_months: int = 12
    products: tuple[Product, ...] = (Product(),)
    sdr_headcount: int = 1
    opportunities_per_sdr: float = 5.0
    skill_log_sd: float = 0.25
    overpromise_win_uplift: float = 0.3
    health_adoption_effect: float = 0.1
    health_gap_effect: float = 0.2
    health_push_effect: float = 0.1
    csql_health_exponent: float = 1.0
    cross_sell_probability: float = 0.5
    handoff_acceptance: float = 0.7
    shared_nrr_acceptance_uplift: float = 0.15
    expansion_cycle_months: int = 2
    churn_health_effect: float = 2.0
    churn_gap_effect: float = 1.0
    gap_decay: float = 0.5
    effort: Effort = field(default_factory=Effort)

    def segment_names(self) -> list[str]:
        return [s.name for s in self.segments]


def _plan_keys(world: World) -> list[str]:
    names = world.segment_names()
    return list(ROLES) + [f"{role}:{name}" for role in ("ae", "csm") for name in names]


@dataclass(frozen=True)
class Scenario:
    """A world and the plans that pay its reps.

    ``plans`` maps a role (``"ae"``, ``"sdr"``, ``"csm"``) to its plan; ``"ae:<segment>"``
    and ``"csm:<segment>"`` give one segment's reps a plan of their own. A role with no plan
    is paid nothing.
    """

    world: World
    plans: Mapping[str, Plan] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "plans", dict(self.plans))
        self.validate()

    # -- validation and conversion -------------------------------------------------------
    def validate(self) -> None:
        """Raise ``ValueError`` naming the first bad field; the engine checks the same rules."""
        _check_types(self.world, "world")
        names = self.world.segment_names()
        if len(set(names)) != len(names):
            raise ValueError(f"world.segments: names {names} are not unique")
        allowed = _plan_keys(self.world)
        for key, plan in self.plans.items():
            if key not in allowed:
                raise ValueError(f"plans.{key}: not a plan key; allowed: {', '.join(allowed)}")
            if not isinstance(plan, Plan):
                raise ValueError(f"plans.{key}: {plan!r} is not a complab.Plan")
            role = key.split(":")[0]
            if plan.role != role:
                raise ValueError(f"plans.{key}: the plan is for role '{plan.role}', not '{role}'")
        try:
            self._to_core()
        except ValueError as err:
            raise ValueError(_with_path_prefix(str(err), self.world)) from None

    def _to_core(self) -> Any:
        """The engine's plain config struct (validated there too)."""
        core = _core.Scenario()
        w = self.world
        cw = _core.WorldConfig()
        for f in fields(World):
            if f.name in ("segments", "products", "effort"):
                continue
            setattr(cw, f.name, getattr(w, f.name))
        cw.segments = [_to_struct(_core.SegmentConfig(), s) for s in w.segments]
        cw.products = [_to_struct(_core.ProductConfig(), p) for p in w.products]
        cw.effort = _to_struct(_core.EffortConfig(), w.effort)
        core.world = cw
        plan_list: list[Any] = []
        index: dict[str, int] = {}
        for key, plan in self.plans.items():
            index[key] = len(plan_list)
            plan_list.append(plan._to_core())
        core.plans = plan_list

        def pick(role: str, segment: str | None) -> int:
            if segment is not None and f"{role}:{segment}" in index:
                return index[f"{role}:{segment}"]
            return index.get(role, -1)

        core.ae_plan = [pick("ae", s.name) for s in w.segments]
        core.csm_plan = [pick("csm", s.name) for s in w.segments]
        core.sdr_plan = pick("sdr", None)
        core.validate()
        return core

    def plan_for(self, role: str, segment: str | None = None) -> Plan | None:
        """The plan that pays a rep of ``role`` in ``segment``, or None."""
        if segment is not None and f"{role}:{segment}" in self.plans:
            return self.plans[f"{role}:{segment}"]
        return self.plans.get(role)

    # -- editing ---------------------------------------------------------------------------
    def with_(self, changes: Mapping[str, Any] | None = None, /, **kwargs: Any) -> Scenario:
        """A copy with fields replaced by dotted path.

        Paths start at ``world`` or ``plans``; segments are addressed by name::

            scenario.with_({"world.segments.smb.win_rate": 0.3, "plans.csm": new_plan})
            scenario.with_(world__months=24)   # keyword form: "__" stands for "."
        """
        updates = dict(changes or {})
        updates.update({k.replace("__", "."): v for k, v in kwargs.items()})
        result = self
        for path, value in updates.items():
            result = _replace_path(result, path.split("."), value, path)
        return result

    # -- dict form ---------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain dict (lists, numbers, strings) that :meth:`from_dict` turns back into this."""
        world = dataclasses.asdict(self.world)
        world["segments"] = [dict(s, renewal_hazard=list(s["renewal_hazard"])) for s in world["segments"]]
        world["products"] = list(world["products"])
        return {"world": world, "plans": {k: p.to_dict() for k, p in self.plans.items()}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scenario:
        if not isinstance(data, Mapping) or "world" not in data:
            raise ValueError("scenario: expected a mapping with keys 'world' and 'plans'")
        world = _build(World, data["world"], "world")
        plans_data = data.get("plans") or {}
        if not isinstance(plans_data, Mapping):
            raise ValueError(f"plans: expected a mapping of role to plan, got {type(plans_data).__name__}")
        plans = {}
        for key, p in plans_data.items():
            try:
                plans[key] = p if isinstance(p, Plan) else Plan.from_dict(p)
            except ValueError as err:
                raise ValueError(f"plans.{key}.{err}") from None
        return cls(world=world, plans=plans)


# -- helpers ---------------------------------------------------------------------------------
_NESTED: dict[tuple[type, str], type] = {
    (World, "segments"): Segment,
    (World, "products"): Product,
    (World, "effort"): Effort,
}


def _build(cls: type, data: Any, path: str) -> Any:
    if isinstance(data, cls):
        return data
    if not isinstance(data, Mapping):
        raise ValueError(f"{path}: expected a mapping, got {type(data).__name__}")
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ValueError(f"{path}.{unknown[0]}: unknown field; allowed: {', '.join(known)}")
    kwargs: dict[str, Any] = {}
    for name, value in data.items():
        sub = _NESTED.get((cls, name))
        if sub is None:
            kwargs[name] = tuple(value) if name == "renewal_hazard" and isinstance(value, list) else value
        elif name == "effort":
            kwargs[name] = _build(sub, value, f"{path}.{name}")
        else:
            if not isinstance(value, (list, tuple)):
                raise ValueError(f"{path}.{name}: expected a list, got {type(value).__name__}")
            kwargs[name] = tuple(_build(sub, v, f"{path}.{name}[{i}]") for i, v in enumerate(value))
    try:
        return cls(**kwargs)
    except TypeError as err:
        raise ValueError(f"{path}: {err}") from None


_INT_FIELDS = {"initial_accounts", "sales_cycle_months", "ae_headcount", "csm_headcount", "months",
               "period_months", "sdr_headcount", "expansion_cycle_months"}


def _check_types(obj: Any, path: str) -> None:
    """Types the C++ structs cannot take, reported by path before conversion."""
    for f in fields(obj):
        value = getattr(obj, f.name)
        p = f"{path}.{f.name}"
        if dataclasses.is_dataclass(value):
            _check_types(value, p)
        elif isinstance(value, tuple) and value and dataclasses.is_dataclass(value[0]):
            for i, v in enumerate(value):
                _check_types(v, f"{p}[{i}]")
        elif f.name in _INT_FIELDS:
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{p}: {value!r} is not an integer")
        elif f.name == "name":
            if not isinstance(value, str) or not value:
                raise ValueError(f"{p}: {value!r} is not a non-empty string")
        elif f.name == "usage_priced":
            if not isinstance(value, bool):
                raise ValueError(f"{p}: {value!r} is not true or false")
        elif f.name == "renewal_hazard":
            if not isinstance(value, tuple) or not value:
                raise ValueError(f"{p}: {value!r} is not a non-empty list of probabilities")
            for i, h in enumerate(value):
                _check_number(h, f"{p}[{i}]")
        elif f.name in ("segments", "products"):
            if not isinstance(value, tuple) or not value:
                raise ValueError(f"{p}: {value!r} is not a non-empty list")
        else:
            _check_number(value, p)


def _check_number(value: Any, path: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{path}: {value!r} is not a number")
    if not math.isfinite(value):
        raise ValueError(f"{path}: {value!r} is not a finite number")


def _with_path_prefix(message: str, world: World) -> str:
    """Turn the engine's 'segments[1].x' into 'world.segments[1].x' (plans keep theirs)."""
    if message.startswith("plans") or message.startswith("measures"):
        return message
    return f"world.{message}"


def _to_struct(struct: Any, obj: Any) -> Any:
    for f in fields(obj):
        value = getattr(obj, f.name)
        setattr(struct, f.name, list(value) if isinstance(value, tuple) else value)
    return struct


def _replace_path(obj: Any, parts: list[str], value: Any, full: str) -> Any:
    head, rest = parts[0], parts[1:]
    if isinstance(obj, Scenario) and head == "plans":
        plans = dict(obj.plans)
        if not rest:
            return replace(obj, plans=value)
        key = rest[0]
        if len(rest) == 1:
            if value is None:
                plans.pop(key, None)
            else:
                plans[key] = value
        else:
            if key not in plans:
                raise ValueError(f"{full}: no plan '{key}' in this scenario")
            data = plans[key].to_dict()
            _set_in_dict(data, rest[1:], value, full)
            plans[key] = Plan.from_dict(data)
        return replace(obj, plans=plans)
    if isinstance(obj, tuple):
        for i, item in enumerate(obj):
            if getattr(item, "name", None) == head or head == str(i):
                new = _replace_path(item, rest, value, full) if rest else value
                return obj[:i] + (new,) + obj[i + 1 :]
        names = [getattr(x, "name", str(i)) for i, x in enumerate(obj)]
        raise ValueError(f"{full}: no item '{head}'; items are {', '.join(map(str, names))}")
    if not dataclasses.is_dataclass(obj) or head not in {f.name for f in fields(obj)}:
        allowed = ", ".join(f.name for f in fields(obj)) if dataclasses.is_dataclass(obj) else ""
        raise ValueError(f"{full}: '{head}' is not a field here; allowed: {allowed}")
    current = getattr(obj, head)
    if rest:
        new = _replace_path(current, rest, value, full)
    else:
        new = tuple(value) if isinstance(current, tuple) and isinstance(value, list) else value
    return replace(obj, **{head: new})


def _set_in_dict(data: Any, parts: list[str], value: Any, full: str) -> None:
    """Set a value in a plan's dict form; list items by index, name or metric."""
    head, rest = parts[0], parts[1:]
    if isinstance(data, list):
        for i, item in enumerate(data):
            if head == str(i) or (isinstance(item, dict) and head in (item.get("name"), item.get("metric"))):
                if rest:
                    _set_in_dict(item, rest, value, full)
                else:
                    data[i] = value
                return
        raise ValueError(f"{full}: no item '{head}'")
    if not isinstance(data, dict) or head not in data:
        allowed = ", ".join(data) if isinstance(data, dict) else ""
        raise ValueError(f"{full}: '{head}' is not a field here; allowed: {allowed}")
    if rest:
        _set_in_dict(data[head], rest, value, full)
    else:
        data[head] = value
