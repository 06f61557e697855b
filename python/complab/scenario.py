"""Scenarios: the simulated world (segments, products, headcount, behaviour) and its plans.

A :class:`Scenario` is immutable. Build one from the presets (:mod:`complab.presets`), from
a dict (:meth:`Scenario.from_dict`) or a YAML file (:meth:`Scenario.from_yaml`,
:func:`load_scenario`), or edit one with :meth:`Scenario.with_`.

Every field is checked when the scenario is built. A bad value raises ``ValueError`` whose
message starts with the field's full path, then says what was given and what is allowed::

    world.segments[0].win_rate: 1.4 is not in [0, 1]
    plans.csm:enterprise.measures[1].weight: 1.4 is not in [0, 1]
    world.segments[2]: unknown key 'winrate' (allowed: name, initial_accounts, ...)

The dict and YAML forms hold every field, so ``Scenario.from_dict(s.to_dict()) == s`` and
``Scenario.from_yaml(s.to_yaml()) == s`` exactly (floats included). Fields left out of a
dict or file take their defaults.

Editing with dotted paths
-------------------------
:meth:`Scenario.with_` takes ``{path: value}``. A path starts at ``world`` or ``plans``:

- world fields by name: ``"world.months"``, ``"world.effort.csm_adoption"``;
- segments and products by name (or index): ``"world.segments.smb.win_rate"``,
  ``"world.segments[0].win_rate"``; list fields whole: ``"world.segments.smb.renewal_hazard"``;
- plans by key (``ae``, ``sdr``, ``csm``, ``ae:<segment>``, ``csm:<segment>``):
  ``"plans.csm"`` replaces or adds a plan (``None`` removes it); inside a plan, fields by
  name and measures by name, metric or index: ``"plans.csm:smb.measures.nrr.weight"``,
  ``"plans.ae:smb.measures[0].target"``, ``"plans.csm:smb.measures.nrr.curve.payout"``.

A ``*`` in a path stands for every plan key, segment, product or measure it matches:
``"plans.csm:*.ote"`` edits every CSM plan, ``"world.segments.*.csql_rate"`` every segment.
A value ``"×1.1"`` (also ``"x1.1"`` or ``"*1.1"``) scales the current value (each number of
a list) instead of replacing it, so ``{"plans.csm:*.ote": "×1.1"}`` is a 10% raise for every
CSM.

The error paths above are valid edit paths too. All changes of one call are applied
together and checked once, so weights that must sum to 1 can be moved in one call::

    s.with_({"plans.csm:smb.measures.gross_churn.weight": 0.5,
             "plans.csm:smb.measures.nrr.weight": 0.5})
    s.with_(world__months=24)   # keyword form: "__" stands for "."
"""

from __future__ import annotations

import dataclasses
import functools
import math
import numbers
import os
import re
import stat
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from complab import _core, uncertainty
from complab.plans import METRICS, Plan, _record, _reraise_under, shown
from complab.uncertainty import Distribution

ROLES = ("ae", "sdr", "csm")
_C_INT = 2**31  # the core stores counts and months as C ints
_NAME_FORBIDDEN = ".:[]"  # characters that dotted paths and plan keys use
#: The world's record classes by name, filled as they are defined.
_RECORDS: dict[str, type] = {}


# -- field kinds and normalisation (used by the records below) --------------------------------
def _kind(f: dataclasses.Field[Any]) -> str:
    """What a record field holds, from its annotation: ``int``, ``float``, ``bool``,
    ``str``, ``floats`` (tuple of floats), ``records:<Class>``, ``record:<Class>`` or
    ``other``."""
    t = str(f.type).replace(" ", "")
    if t in ("int", "float", "bool", "str"):
        return t
    if t == "tuple[float,...]":
        return "floats"
    m = re.fullmatch(r"tuple\[(\w+),\.\.\.\]", t)
    if m and m.group(1) in _RECORDS:
        return f"records:{m.group(1)}"
    if t in _RECORDS:
        return f"record:{t}"
    return "other"


def _normalise(kind: str, value: Any) -> Any:
    """Plain Python numbers and tuples; anything unexpected is returned as it is."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value) if kind == "bool" else value
    if kind == "float" and isinstance(value, numbers.Real):
        try:
            return float(value)
        except OverflowError:
            return value
    if kind == "int" and isinstance(value, numbers.Real):
        if isinstance(value, numbers.Integral):
            return int(value)
        as_float = float(value)
        if math.isfinite(as_float) and as_float.is_integer():
            return int(as_float)
        return value
    if kind == "floats" and isinstance(value, (list, tuple, np.ndarray)):
        return tuple(_normalise("float", v) for v in list(value))
    if kind.startswith("records:") and isinstance(value, list):
        return tuple(value)
    return value


class _Record:
    """Base of the world's records: numbers are normalised to plain ``int`` / ``float``
    (NumPy scalars and integral floats accepted) and lists to tuples, so records compare,
    hash and serialise the same whatever built them. Bad types are left for
    :meth:`Scenario.validate` to report by path."""

    def __post_init__(self) -> None:
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            new = _normalise(_kind(f), value)
            if new is not value:
                object.__setattr__(self, f.name, new)


@dataclass(frozen=True)
class Product(_Record):
    """A product: its ACV as a multiple of the segment median, and how it is priced."""

    name: str = "core"
    acv_scale: float = 1.0
    usage_priced: bool = False


@dataclass(frozen=True)
class Segment(_Record):
    """A customer segment (docs/model.md §5). Rates are per month unless named otherwise."""

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
    inbound_opportunities: float = 0.0
    ae_prospecting: float = 0.0
    ae_capacity: float = 30.0
    ae_headcount: int = 1
    csm_headcount: int = 1


@dataclass(frozen=True)
class Effort(_Record):
    """Effort shares in fixed mode and the reference shares they are measured against."""

    csm_adoption: float = 0.8
    csm_adoption_ref: float = 0.8
    ae_new_business: float = 0.8
    ae_new_business_ref: float = 0.8
    ae_overpromise: float = 0.0


#: Activities per role in responsive mode, in the engine's order (docs/model.md §8).
ACTIVITIES = {"csm": ("adoption", "expansion"), "ae": ("new_business", "follow_up")}


@dataclass(frozen=True)
class Behaviour(_Record):
    """Responsive mode (docs/model.md §8): reps re-split their effort each month by what their
    plan pays for it. ``incentive_sensitivity`` (beta) 0 is fixed mode.

    ``csm_productivity`` / ``ae_productivity`` optionally replace the derived activity x
    metric matrix G: ``{activity: {metric: gain per month of activity}}`` (activities in
    :data:`ACTIVITIES`); metrics left out are 0.
    """

    incentive_sensitivity: float = 0.0
    projection_uncertainty: float = 0.25
    effort_cost_ae: float = 8000.0
    effort_cost_csm: float = 300.0
    effort_elasticity: float = 0.5
    max_effort_level: float = 1.5
    csm_productivity: Mapping[str, Mapping[str, float]] | None = None
    ae_productivity: Mapping[str, Mapping[str, float]] | None = None


@dataclass(frozen=True)
class AttritionBand(_Record):
    """From ``from_month`` of tenure on, the chance a rep leaves within a year (docs/model.md §9)."""

    from_month: int = 0
    annual_rate: float = 0.0


@dataclass(frozen=True)
class Staffing(_Record):
    """How a role's reps ramp, leave and are replaced (docs/model.md §9).

    ``ramp``: productivity by tenure month (month 0 first), reaching 1; full beyond it.
    ``quota_ramp``: share of full quota by tenure month (empty: the ramp). ``attrition``:
    bands by tenure. ``backfill_lag_months``: months a seat stays vacant after its rep leaves
    (-1: never refilled).
    """

    ramp: tuple[float, ...] = ()
    quota_ramp: tuple[float, ...] = ()
    attrition: tuple[AttritionBand, ...] = ()
    backfill_lag_months: int = 2


@dataclass(frozen=True)
class RosterRep(_Record):
    """A named rep: one seat of its role and segment (SDRs: segment ``"any"``).

    ``hired_month``: the month it joined, counted from month 0 (-14: 14 months before the
    start; 5: joins in month 5). ``quota`` (annual, on its plan's first measure) and ``ote``:
    its own terms; 0 takes its plan's.
    """

    name: str
    role: str
    segment: str = "any"
    hired_month: int = 0
    quota: float = 0.0
    ote: float = 0.0


@dataclass(frozen=True)
class Hire(_Record):
    """From ``month`` on, the role's headcount target in ``segment`` (SDRs: ``"any"``)."""

    role: str
    month: int
    headcount: int
    segment: str = "any"


@dataclass(frozen=True)
class PayAttrition(_Record):
    """Pay drives who stays (docs/model.md §9): attrition times
    1 + shortfall_effect x max(0, 1 - trailing earnings / OTE), and for reps above median
    skill times 1 + capped_effect while a cap or decelerator binds."""

    enabled: bool = False
    shortfall_effect: float = 2.0
    capped_effect: float = 0.5
    trailing_months: int = 12


#: How a vacant seat's work is covered, and how quotas are set (docs/model.md §9).
VACANCY = ("reassign", "wait")
QUOTA_METHODS = ("equal", "territory")


@dataclass(frozen=True)
class Workforce(_Record):
    """People, not headcount (docs/model.md §9): ramp, attrition and backfill per role, named
    reps, a hiring plan, how vacancies are covered, how quotas are set, and pay-linked
    attrition. The default changes nothing: every seat held all along by a ramped rep."""

    ae: Staffing = field(default_factory=Staffing)
    sdr: Staffing = field(default_factory=Staffing)
    csm: Staffing = field(default_factory=Staffing)
    roster: tuple[RosterRep, ...] = ()
    hiring: tuple[Hire, ...] = ()
    vacancy: str = "reassign"
    quota_method: str = "equal"
    pay_attrition: PayAttrition = field(default_factory=PayAttrition)


@dataclass(frozen=True)
class World(_Record):
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
    csm_max_effort: float = 2.0
    book_age_years: int = 20
    effort: Effort = field(default_factory=Effort)
    behaviour: Behaviour = field(default_factory=Behaviour)
    workforce: Workforce = field(default_factory=Workforce)

    def responds_to_plans(self) -> bool:
        """Whether the plans change what happens, not only what is paid: reps respond to
        their plans (responsive mode) or pay drives who stays (pay-linked attrition). Then
        a new plan needs a new simulation, not a re-pay (docs/model.md §7)."""
        return self.behaviour.incentive_sensitivity > 0 or self.workforce.pay_attrition.enabled

    def segment_names(self) -> list[str]:
        """The segments' names, in order (``["smb", "mid_market", "enterprise"]``)."""
        return [s.name for s in self.segments]


_RECORDS.update(
    {
        c.__name__: c
        for c in (
            Product,
            Segment,
            Effort,
            Behaviour,
            AttritionBand,
            Staffing,
            RosterRep,
            Hire,
            PayAttrition,
            Workforce,
            World,
        )
    }
)


#: The columns of a :class:`Book`, in order.
BOOK_COLUMNS = (
    "account_id",
    "segment",
    "arr",
    "renewal_index",
    "months_to_renewal",
    "csm",
    "ae",
    "health",
    "products",
)


#: Book._to_core's result per book (weakly held: it goes with its book).
_BOOK_CORE: weakref.WeakKeyDictionary[Any, tuple[tuple[str, ...], list[Any]]] = (
    weakref.WeakKeyDictionary()
)


@dataclass(frozen=True)
class Book:
    """A company's own book at month 0 (docs/model.md §4, "A book from data"), one entry per
    account in each column: its id, segment (by name), ARR, renewal index (renewals passed),
    months to its next renewal (1…12), the seat of its CSM and of its AE (the ordinal among
    the segment's named reps of that role in ``world.workforce.roster``, in roster order;
    -1: none), its health (None: unknown, drawn around the segment's ``health_base``) and
    its products (bit k: product k). :func:`complab.calibrate` builds one from data."""

    account_id: tuple[str, ...]
    segment: tuple[str, ...]
    arr: tuple[float, ...]
    renewal_index: tuple[int, ...]
    months_to_renewal: tuple[int, ...]
    csm: tuple[int, ...]
    ae: tuple[int, ...]
    health: tuple[float | None, ...]
    products: tuple[int, ...]

    def __post_init__(self) -> None:
        n = None
        for name in BOOK_COLUMNS:
            value = getattr(self, name)
            if isinstance(value, (str, bytes, Mapping)) or not isinstance(
                value, (list, tuple, np.ndarray)
            ):
                raise ValueError(f"book.{name}: expected a list, got {type(value).__name__}")
            items = tuple(v.item() if isinstance(v, np.generic) else v for v in value)
            if name == "health":
                items = tuple(
                    None if v is None or (isinstance(v, float) and math.isnan(v)) else v
                    for v in items
                )
            object.__setattr__(self, name, items)
            if n is None:
                n = len(items)
            elif len(items) != n:
                raise ValueError(
                    f"book.{name}: {len(items)} entries, but book.account_id has {n}; every column has one per account"
                )

    def __len__(self) -> int:
        return len(self.account_id)

    def to_dict(self) -> dict[str, list[Any]]:
        """Columns as lists (the form in a scenario file)."""
        return {name: list(getattr(self, name)) for name in BOOK_COLUMNS}

    @classmethod
    def from_dict(cls, data: Any) -> Book:
        if isinstance(data, Book):
            return data
        d = _record(data, "book", BOOK_COLUMNS)
        return cls(**d)

    def to_frame(self) -> Any:
        """The book as a pandas DataFrame, one row per account."""
        import pandas as pd

        return pd.DataFrame(self.to_dict())

    def _to_core(self, world: World) -> list[Any]:
        """The engine's accounts, checked; kept per book and segment names, for a run with
        uncertain assumptions builds one scenario per draw around the same book."""
        names = world.segment_names()
        cached = _BOOK_CORE.get(self)
        if cached is not None and cached[0] == tuple(names):
            return cached[1]
        out = self._accounts_to_core(names)
        _BOOK_CORE[self] = (tuple(names), out)
        return out

    def _accounts_to_core(self, names: list[str]) -> list[Any]:
        out = []
        for i in range(len(self)):
            where = f"book[{i}]"
            seg = self.segment[i]
            if seg not in names:
                raise ValueError(
                    f"{where}.segment: {shown(seg)} is not a segment; allowed: {', '.join(names)}"
                )
            a = _core.BookAccount()
            a.segment = names.index(seg)
            _check_number(self.arr[i], f"{where}.arr")
            a.arr_cents = int(round(float(self.arr[i]) * 100))
            for name, attr in (
                ("renewal_index", "renewal_index"),
                ("months_to_renewal", "months_to_renewal"),
                ("csm", "csm_seat"),
                ("ae", "ae_seat"),
                ("products", "products"),
            ):
                value = getattr(self, name)[i]
                if (
                    isinstance(value, bool)
                    or not isinstance(value, int)
                    or not -_C_INT <= value < _C_INT
                ):
                    raise ValueError(f"{where}.{name}: {shown(value)} is not an integer")
                if name == "products" and value < 0:
                    raise ValueError(f"{where}.products: {value} is not a set of product bits")
                setattr(a, attr, value)
            h = self.health[i]
            if h is not None:
                _check_number(h, f"{where}.health")
                if not 0.0 <= h <= 1.0:
                    raise ValueError(
                        f"{where}.health: {shown(h)} is not in [0, 1] (or empty: unknown)"
                    )
            a.health = -1.0 if h is None else float(h)
            out.append(a)
        return out


def _plan_keys(world: World) -> list[str]:
    names = world.segment_names()
    return list(ROLES) + [f"{role}:{name}" for role in ("ae", "csm") for name in names]


@dataclass(frozen=True)
class Scenario:
    """A world and the plans that pay its reps.

    ``plans`` maps a role (``"ae"``, ``"sdr"``, ``"csm"``) to its plan; ``"ae:<segment>"``
    and ``"csm:<segment>"`` give one segment's reps a plan of their own. A role with no plan
    is paid nothing. See the module documentation for the dict, YAML and dotted-path forms.
    """

    world: World
    plans: Mapping[str, Plan] = field(default_factory=dict)
    #: Uncertain world fields: ``{"world.segments.smb.renewal_hazard": LogNormal(...)}``
    #: (:mod:`complab.uncertainty`); the world holds each one's median. Empty: a fixed world.
    uncertain: Mapping[str, Distribution] = field(default_factory=dict)
    book: Book | None = None

    def __post_init__(self) -> None:
        if self.book is not None and not isinstance(self.book, Book):
            raise ValueError(
                f"book: expected a complab.scenario.Book, got {type(self.book).__name__}"
            )
        if not isinstance(self.plans, Mapping):
            raise ValueError(
                f"plans: expected a mapping of plan key to Plan, got {type(self.plans).__name__}"
            )
        object.__setattr__(self, "plans", dict(self.plans))
        if not isinstance(self.uncertain, Mapping):
            raise ValueError(
                "uncertain: expected a mapping of world path to distribution, got "
                f"{type(self.uncertain).__name__}"
            )
        if self.uncertain and isinstance(self.world, World):
            uncertain, world = _normalise_uncertain(self.world, self.uncertain)
            object.__setattr__(self, "uncertain", uncertain)
            object.__setattr__(self, "world", world)
        else:
            object.__setattr__(self, "uncertain", dict(self.uncertain))
        try:
            self.validate()
        except ValueError as err:
            raise _blame_uncertain(self, err, "median") from None
        if self.uncertain:
            _check_supports(self)

    # -- uncertain assumptions (complab.uncertainty) ------------------------------------------
    @property
    def responsive(self) -> bool:
        """Whether reps respond to plans in any draw: ``incentive_sensitivity`` above 0, or
        uncertain with draws above 0 (then plans change the world and every plan must be
        simulated)."""
        beta = self.uncertain.get("world.behaviour.incentive_sensitivity")
        if beta is not None:
            return float(np.max(beta.attainable()[1])) > 0
        return self.world.behaviour.incentive_sensitivity > 0

    def fixed(self) -> Scenario:
        """This scenario with every uncertain field at its median (no distributions)."""
        return (
            Scenario(world=self.world, plans=self.plans, book=self.book) if self.uncertain else self
        )

    def at(self, values: Mapping[str, Any]) -> Scenario:
        """A fixed scenario with uncertain fields set to drawn values ``{path: value}``
        (the others at their medians); validated."""
        world = _replace_fields(
            self.world, [(_split_path(path)[1:], value, path) for path, value in values.items()]
        )
        return Scenario(world=world, plans=self.plans, book=self.book)

    # -- validation and conversion -------------------------------------------------------
    def validate(self) -> None:
        """Raise ``ValueError`` naming the first bad field by its full path; the engine
        checks the same rules."""
        if not isinstance(self.world, World):
            raise ValueError(f"world: expected a complab.World, got {type(self.world).__name__}")
        _check_types(self.world, "world")
        if self.world.months > MAX_MONTHS:
            raise ValueError(
                f"world.months: {self.world.months} is more than {MAX_MONTHS} ({MAX_MONTHS // 12} "
                "years), the longest horizon allowed: ARR compounding over longer horizons "
                "passes the engine's limits part-way through a run"
            )
        names = self.world.segment_names()
        if len(set(names)) != len(names):
            raise ValueError(f"world.segments: names {names} are not unique")
        for k, name in enumerate(names):
            if name == "all":  # the company's row in cohort tables and comparisons
                raise ValueError(
                    f"world.segments[{k}].name: 'all' names the whole company in the tables; "
                    "give the segment another name"
                )
            if name.isdigit():  # `with_` reads segments.0 as an index
                raise ValueError(
                    f"world.segments[{k}].name: {shown(name)} is a number; a segment's name needs a letter"
                )
        products = [p.name for p in self.world.products]
        if len(set(products)) != len(products):
            raise ValueError(f"world.products: names {products} are not unique")
        allowed = _plan_keys(self.world)
        for key, plan in self.plans.items():
            if key not in allowed:
                raise ValueError(
                    f"plans.{key}: not a plan key; allowed: {', '.join(map(str, allowed))}"
                )
            if not isinstance(plan, Plan):
                raise ValueError(f"plans.{key}: expected a complab.Plan, got {type(plan).__name__}")
            role = key.split(":")[0]
            if plan.role != role:
                raise ValueError(
                    f"plans.{key}.role: the plan is for role '{plan.role}', not '{role}'"
                )
        self._to_core()
        _check_opportunities(self.world)

    def _world_core(self) -> Any:
        """The engine's world struct, validated; errors carry the ``world.`` prefix."""
        w = self.world
        cw = _core.WorldConfig()
        for f in fields(World):
            if f.name in ("segments", "products", "effort", "behaviour", "workforce"):
                continue
            setattr(cw, f.name, getattr(w, f.name))
        cw.segments = [_to_struct(_core.SegmentConfig(), s) for s in w.segments]
        cw.products = [_to_struct(_core.ProductConfig(), p) for p in w.products]
        cw.effort = _to_struct(_core.EffortConfig(), w.effort)
        cw.behaviour = _behaviour_to_core(w.behaviour)
        cw.workforce = _workforce_to_core(w)
        try:
            cw.validate()
        except ValueError as err:
            raise ValueError(f"world.{err}") from None
        return cw

    def _to_core(self) -> Any:
        """The engine's plain config struct (validated there too)."""
        core = _core.Scenario()
        core.world = self._world_core()
        plan_list: list[Any] = []
        index: dict[str, int] = {}
        for key, plan in self.plans.items():
            index[key] = len(plan_list)
            plan_list.append(plan._to_core(self.world.period_months))
        core.plans = plan_list

        def pick(role: str, segment: str | None) -> int:
            if segment is not None and f"{role}:{segment}" in index:
                return index[f"{role}:{segment}"]
            return index.get(role, -1)

        core.ae_plan = [pick("ae", s.name) for s in self.world.segments]
        core.csm_plan = [pick("csm", s.name) for s in self.world.segments]
        core.sdr_plan = pick("sdr", None)
        _roster_terms(self, core)
        if self.book is not None:
            core.book = self.book._to_core(self.world)
        core.validate()
        return core

    def plan_for(self, role: str, segment: str | None = None) -> Plan | None:
        """The plan that pays a rep of ``role`` in ``segment``, or None."""
        if segment is not None and f"{role}:{segment}" in self.plans:
            return self.plans[f"{role}:{segment}"]
        return self.plans.get(role)

    def shared_nrr(self) -> tuple[bool, ...]:
        """Per segment, whether both its AE and CSM plans carry NRR (raises hand-off
        acceptance, docs/model.md §5, so it is part of what the world does)."""
        core = self._to_core()
        return tuple(bool(core.shared_nrr(i)) for i in range(len(self.world.segments)))

    # -- editing ---------------------------------------------------------------------------
    def with_(self, changes: Mapping[str, Any] | None = None, /, **kwargs: Any) -> Scenario:
        """A copy with fields replaced by dotted path.

        Parameters
        ----------
        changes
            ``{path: value}``; paths as in the module documentation, e.g.
            ``"world.segments.smb.win_rate"``, ``"plans.csm:enterprise.measures.nrr.weight"``,
            ``"plans.ae:smb"`` (a whole :class:`~complab.Plan`, or None to remove it).
            Values may be plain (numbers, lists, dicts in the dict form) or objects
            (``Segment``, ``Plan``, ``Measure``, ``PayoutCurve``...). A ``*`` in a path
            edits every match (``"plans.csm:*.ote"``, ``"world.segments.*.csql_rate"``); a
            value ``"×1.1"`` (or ``"x1.1"``, ``"*1.1"``) multiplies the current number, or
            each number of a list, by 1.1. Edits apply in order, so a specific path after
            a ``*`` path overrides it.
        **kwargs
            The same with ``__`` for ``.``: ``with_(world__months=24)``.

        Returns
        -------
        Scenario
            A new, validated scenario; this one is unchanged.

        Raises
        ------
        ValueError
            For a path that names nothing (listing what is there) or a value the scenario
            does not allow (naming the field's full path).
        """
        updates = dict(changes or {})
        updates.update({k.replace("__", "."): v for k, v in kwargs.items()})
        if not updates:
            return self
        data: dict[str, Any] = {"world": self._world_dict(), "plans": dict(self.plans)}
        if self.book is not None:
            data["book"] = self.book
        for path, value in updates.items():
            if not isinstance(path, str):
                raise ValueError(f"with_: path {shown(path)} is not a string")
            parts = _split_path(path)
            for concrete in _expand_path(data, parts, path):
                _set_path(data, concrete, _plain(value), path)
        return Scenario.from_dict(data)

    # -- dict and YAML forms ---------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain dict (lists, numbers, strings, None) that :meth:`from_dict` turns back into
        an equal scenario."""
        out: dict[str, Any] = {
            "world": self._world_dict(),
            "plans": {k: p.to_dict() for k, p in self.plans.items()},
        }
        if self.book is not None:
            out["book"] = self.book.to_dict()
        return out

    def _world_dict(self) -> dict[str, Any]:
        """The world's dict form with each uncertain field's distribution in place of its
        value (``{"dist": "lognormal", ...}``), as a scenario file writes it."""
        data = _plain(self.world)
        for path, dist in self.uncertain.items():
            node: Any = data
            parts = _split_path(path)[1:]
            for head in parts[:-1]:
                node = node[_item_index(node, head)] if isinstance(node, list) else node[head]
            node[parts[-1]] = dist.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scenario:
        """Build and validate a scenario from :meth:`to_dict`'s form.

        Missing fields take their defaults; unknown keys are rejected with the allowed keys
        listed. Plans may be given as :class:`~complab.Plan` objects or their dict form.

        Raises
        ------
        ValueError
            Naming the full path, e.g. ``plans.csm:enterprise.measures[1].weight: 1.4 is not
            in [0, 1]``.
        """
        d = _record(data, "scenario", ("world",), ("plans", "book"))
        world_data, uncertain = _extract_uncertain(d["world"])
        world = _build(World, world_data, "world")
        book = None if d.get("book") is None else Book.from_dict(d["book"])
        plans_data = d.get("plans")
        if plans_data is None:
            plans_data = {}
        if not isinstance(plans_data, Mapping):
            raise ValueError(
                f"plans: expected a mapping of plan key to plan, got {type(plans_data).__name__}"
            )
        plans: dict[str, Plan] = {}
        for key, p in plans_data.items():
            if not isinstance(key, str):
                raise ValueError(
                    f"plans: key {shown(key)} is not a string (plan keys: {', '.join(_plan_keys(world))})"
                )
            if isinstance(p, Plan):
                plans[key] = p
                continue
            try:
                plans[key] = Plan.from_dict(p)
            except ValueError as err:
                raise _reraise_under(f"plans.{key}", err, own="plan") from None
        return cls(world=world, plans=plans, uncertain=uncertain, book=book)

    def to_yaml(self, path: str | os.PathLike[str] | None = None) -> str:
        """The scenario as YAML text (written to `path` too when given). A book of more than
        :data:`BOOK_INLINE_MAX` accounts written to a file goes beside it, as
        ``<name>.book.csv``, named in the YAML as ``book: {file: <name>.book.csv}``.

        Floats are written with Python's shortest round-trip representation, so
        :meth:`from_yaml` gives back an equal scenario.
        """
        import yaml

        data = self.to_dict()
        if path is not None and self.book is not None and len(self.book) > BOOK_INLINE_MAX:
            side = Path(path).with_suffix(".book.csv")
            self.book.to_frame().to_csv(side, index=False)
            data["book"] = {"file": side.name}
        text = yaml.safe_dump(data, sort_keys=False, default_flow_style=None, allow_unicode=True)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    @classmethod
    def from_yaml(cls, source: str | os.PathLike[str]) -> Scenario:
        """Read a scenario from YAML text or a YAML file (``yaml.safe_load``).

        Parameters
        ----------
        source
            A path (``str`` or ``os.PathLike``) of a file, or the YAML text itself (a string
            with a line break or a ``:`` in it that is not an existing file).

        Raises
        ------
        ValueError
            For text that is not YAML, or a scenario that is not valid (full field path).
        FileNotFoundError
            For a path that does not exist.
        """
        import yaml

        text = _read_text(source)
        where = os.fspath(source) if text is not source else "scenario YAML"
        try:
            data = load_yaml(text)
        except yaml.YAMLError as err:
            raise ValueError(f"{where}: not valid YAML ({yaml_problem(err)})") from None
        except RecursionError:  # a bound above should stop this first
            raise ValueError(f"{where}: values nested too deeply") from None
        if text is source:
            return cls.from_dict(read_book_file(data, Path.cwd()))
        try:
            return cls.from_dict(read_book_file(data, Path(source).parent))
        except ValueError as err:  # a file's errors name the file, then the field
            raise ValueError(f"{where}: {err}") from None


#: Books larger than this are written beside a scenario file rather than inside it (a
#: scenario file holds at most MAX_YAML_VALUES values: about 11,000 accounts inline).
BOOK_INLINE_MAX = 5_000


def read_book_file(data: Any, base: Path) -> Any:
    """A scenario's dict form with ``book: {file: NAME}`` replaced by the book read from
    that CSV file (relative to `base`, the scenario file's folder)."""
    if not isinstance(data, Mapping) or not isinstance(data.get("book"), Mapping):
        return data
    ref = data["book"]
    if set(ref) != {"file"}:
        return data
    import pandas as pd

    path = base / str(ref["file"])
    try:
        frame = pd.read_csv(path, keep_default_na=True)
    except FileNotFoundError:
        raise ValueError(
            f"book.file: {str(ref['file'])!r} does not exist beside the scenario"
        ) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise ValueError(f"book.file: {path.name} is not a readable CSV file ({err})") from None
    missing = [c for c in BOOK_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"book.file: {path.name} has no column {missing[0]}")
    columns: dict[str, list[Any]] = {}
    for c in BOOK_COLUMNS:
        values = frame[c].tolist()
        if c in ("account_id", "segment"):
            values = [str(v) for v in values]
        elif c == "health":
            values = [None if v != v else float(v) for v in values]
        columns[c] = values
    return {**data, "book": columns}


def yaml_problem(err: Exception) -> str:
    """A YAML error in one line: what is wrong and where (line and column)."""
    mark = getattr(err, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    problem = getattr(err, "problem", None) or str(err)
    return where + " ".join(str(problem).split())


#: Bounds on a scenario file: a real one is a few kilobytes, tens of levels deep and a few
#: thousand values; these leave wide room and keep a hostile file from taking minutes or
#: all memory (aliases can make a small file expand to billions of values).
MAX_YAML_BYTES = 1 << 20
MAX_YAML_DEPTH = 64
MAX_YAML_VALUES = 100_000


def load_yaml(text: str) -> Any:
    """``yaml.safe_load`` as a planner expects it: ``1e5`` is a number (YAML 1.1 reads it as
    a string without a dot), and a key given twice in one mapping is an error (YAML keeps
    the last one silently). Merge keys (``<<: *defaults``) are read as YAML defines them.
    Text over :data:`MAX_YAML_BYTES`, nesting deeper than :data:`MAX_YAML_DEPTH` and more
    than :data:`MAX_YAML_VALUES` values once aliases are expanded are refused. Raises
    ``yaml.YAMLError``, with the line where there is one."""
    import yaml

    if len(text) > MAX_YAML_BYTES:
        raise yaml.YAMLError(
            f"{len(text):,} characters, more than the {MAX_YAML_BYTES:,} a scenario may have"
        )
    return yaml.load(text, Loader=_yaml_loader())  # noqa: S506 - a SafeLoader


@functools.cache
def _yaml_loader() -> type:
    """load_yaml's SafeLoader, built once (yaml is imported only when a file is read)."""
    import yaml

    merge_tag = "tag:yaml.org,2002:merge"

    class Loader(yaml.SafeLoader):
        depth = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            self.depth += 1
            try:
                if self.depth > MAX_YAML_DEPTH:
                    raise yaml.composer.ComposerError(
                        None,
                        None,
                        f"values nested more than {MAX_YAML_DEPTH} levels deep",
                        self.peek_event().start_mark,
                    )
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

        def get_single_node(self) -> Any:
            node = super().get_single_node()
            if node is not None:
                _count_values(node, {}, set())
            return node

        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            seen: set[Any] = set()
            for key_node, _ in node.value:
                if key_node.tag == merge_tag:
                    continue
                key = self.construct_object(key_node, deep=deep)
                try:
                    repeated = key in seen
                except TypeError:
                    raise yaml.constructor.ConstructorError(
                        "while reading a mapping",
                        node.start_mark,
                        f"a key is a {type(key).__name__}; keys are names or numbers",
                        key_node.start_mark,
                    ) from None
                if repeated:
                    raise yaml.constructor.ConstructorError(
                        "while reading a mapping",
                        node.start_mark,
                        f"key {shown(key)} is given twice",
                        key_node.start_mark,
                    )
                seen.add(key)
            return super().construct_mapping(node, deep=deep)

    def _count_values(
        node: Any, sizes: dict[int, tuple[int, int]], open_: set[int]
    ) -> tuple[int, int]:
        """The number of values in `node` and its depth, with every alias expanded;
        refused past MAX_YAML_VALUES or MAX_YAML_DEPTH (aliases can nest too)."""
        if id(node) in sizes:
            return sizes[id(node)]
        if id(node) in open_:
            raise yaml.composer.ComposerError(
                None, None, "a value that contains itself (a recursive alias)", node.start_mark
            )
        open_.add(id(node))
        children: list[Any] = []
        if isinstance(node, yaml.SequenceNode):
            children = node.value
        elif isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        counted = [_count_values(child, sizes, open_) for child in children]
        size = 1 + sum(n for n, _ in counted)
        depth = 1 + max((d for _, d in counted), default=0)
        if size > MAX_YAML_VALUES or depth > MAX_YAML_DEPTH:
            raise yaml.composer.ComposerError(
                None,
                None,
                f"more than {MAX_YAML_VALUES:,} values or {MAX_YAML_DEPTH} levels once aliases "
                "are expanded; a scenario has a few thousand values",
                node.start_mark,
            )
        open_.discard(id(node))
        sizes[id(node)] = (size, depth)
        return size, depth

    # YAML 1.2's floats: digits with an exponent need no dot (1e5, 2.5E-3, -1e+06).
    Loader.add_implicit_resolver(
        "tag:yaml.org,2002:float",
        re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
        list("-+0123456789"),
    )
    return Loader


#: File types that are data, not scenarios, by suffix (what load_scenario says they are).
_NOT_SCENARIO_FILES = {
    ".csv": "a CSV table",
    ".tsv": "a tab-separated table",
    ".xlsx": "an Excel workbook",
    ".xls": "an Excel workbook",
    ".parquet": "a Parquet file (a saved result reads with complab.load)",
}


def read_scenario_file(path: str | os.PathLike[str]) -> str:
    """The text of a scenario file: a regular file (not a folder, a pipe or a device, which
    could block or never end) of at most :data:`MAX_YAML_BYTES`, in UTF-8.

    Raises
    ------
    FileNotFoundError
        For a path that does not exist.
    ValueError
        Naming the file and what is wrong with it.
    """
    p = Path(path)
    try:
        mode = p.stat()
    except FileNotFoundError:
        raise FileNotFoundError(f"scenario file {os.fspath(path)!r} does not exist") from None
    except OSError as err:
        raise ValueError(f"{p}: cannot read the file ({err.strerror or err})") from None
    if stat.S_ISDIR(mode.st_mode):
        raise ValueError(f"scenario file '{p}' is a folder, not a file")
    if not stat.S_ISREG(mode.st_mode):
        raise ValueError(
            f"{p}: not a regular file (a pipe, a device or a socket); a scenario is a YAML file"
        )
    try:
        with p.open("rb") as f:
            data = f.read(MAX_YAML_BYTES + 1)
    except OSError as err:
        raise ValueError(f"{p}: cannot read the file ({err.strerror or err})") from None
    if len(data) > MAX_YAML_BYTES:
        raise ValueError(
            f"{p}: more than {MAX_YAML_BYTES:,} bytes; a scenario file has a few thousand"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ValueError(f"{p}: not UTF-8 text (byte {err.start} cannot be read)") from None


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Read a scenario file (YAML, or JSON, which is YAML too). See :meth:`Scenario.from_yaml`.

    Parameters
    ----------
    path
        The file, e.g. one written by :meth:`Scenario.to_yaml` or ``complab presets --yaml``.

    Raises
    ------
    FileNotFoundError
        For a path that does not exist.
    ValueError
        Starting with the file's name: not a file path, a folder, a pipe or device, a data
        file (CSV, Excel, Parquet), a file too large, text that is not YAML (with its line),
        a file that is not a mapping of ``world`` and ``plans``, or a field the scenario does
        not allow (its full path).

    Returns
    -------
    Scenario
        The validated scenario; fields the file leaves out take their defaults.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise ValueError(
            f"path: {type(path).__name__} {shown(path)} is not a file path (a str or os.PathLike)"
        )
    p = Path(path)
    expected = "a scenario is a YAML file with 'world' and 'plans' (Scenario.to_yaml writes one)"
    kind = _NOT_SCENARIO_FILES.get(p.suffix.lower())
    if kind is not None and p.exists():
        raise ValueError(f"{p}: {kind}, not a scenario; {expected}")
    text = read_scenario_file(p)
    import yaml

    try:
        data = load_yaml(text)
    except yaml.YAMLError as err:
        raise ValueError(f"{p}: not valid YAML ({yaml_problem(err)})") from None
    except RecursionError:  # a bound in load_yaml should stop this first
        raise ValueError(f"{p}: values nested too deeply") from None
    if not isinstance(data, Mapping):
        got = "an empty file" if data is None else f"a {type(data).__name__}"
        raise ValueError(f"{p}: not a scenario, the file holds {got}; {expected}")
    try:
        return Scenario.from_dict(read_book_file(data, p.parent))
    except ValueError as err:
        raise ValueError(f"{p}: {err}") from None


#: The longest horizon, in months: every preset runs to it within the engine's ARR limits.
MAX_MONTHS = 600

#: The engine keys at most this many opportunities per SDR and month (docs/model.md §2); a
#: larger draw stops a run. Scenarios that make one likelier than this per SDR and trial are
#: refused up front rather than failing part-way through a run.
MAX_OPPORTUNITIES_PER_SDR_MONTH = _core.MAX_OPPORTUNITIES_PER_SOURCE_MONTH
_OPPORTUNITY_OVERFLOW_ODDS = 1e-12


def _check_opportunities(w: World) -> None:
    """Refuse opportunities_per_sdr and skill_log_sd that could draw more than the engine's
    monthly limit, naming the most each may be given the other."""
    if (
        _overflow_odds(w.opportunities_per_sdr, w.skill_log_sd, w.months)
        <= _OPPORTUNITY_OVERFLOW_ODDS
    ):
        return

    def most(fits: Any, high: float) -> float:
        low = 0.0
        for _ in range(40):
            mid = (low + high) / 2
            low, high = (mid, high) if fits(mid) else (low, mid)
        return low

    rate = most(
        lambda r: _overflow_odds(r, w.skill_log_sd, w.months) <= _OPPORTUNITY_OVERFLOW_ODDS, 100.0
    )
    spread = most(
        lambda sd: (
            _overflow_odds(w.opportunities_per_sdr, sd, w.months) <= _OPPORTUNITY_OVERFLOW_ODDS
        ),
        2.0,
    )
    instead = f" or world.skill_log_sd at most {spread:.3g}" if spread > 0 else ""
    raise ValueError(
        f"world.opportunities_per_sdr: {w.opportunities_per_sdr:g} with world.skill_log_sd "
        f"{w.skill_log_sd:g} over {w.months} months lets a strong SDR draw more than "
        f"{MAX_OPPORTUNITIES_PER_SDR_MONTH} opportunities in a month, the engine's limit; give "
        f"opportunities_per_sdr at most {rate:.3g}{instead}"
    )


@functools.lru_cache(maxsize=1024)  # a pure function; scenarios drawn per trial repeat it
def _overflow_odds(rate: float, skill_log_sd: float, months: int) -> float:
    """An upper bound on the chance that an SDR (skill ~ LogNormal(0, skill_log_sd)) draws
    more than the limit in some month of a trial (counts ~ Poisson(rate x skill)): the
    chance of a skill above exp(skill_log_sd z), plus months times the Poisson tail at that
    skill, at the best z."""
    if rate <= 0:
        return 0.0
    if skill_log_sd == 0:  # every SDR has skill 1
        return min(1.0, months * _poisson_tail(rate))
    best = 1.0
    for z in np.linspace(0.0, 12.0, 241):
        lam = rate * math.exp(skill_log_sd * z)
        best = min(best, 0.5 * math.erfc(z / math.sqrt(2)) + months * _poisson_tail(lam))
    return best


def _poisson_tail(lam: float, k: int = MAX_OPPORTUNITIES_PER_SDR_MONTH) -> float:
    """P(K > k) for K ~ Poisson(lam), summed in logs (the terms are far below float range)."""
    if lam >= k:
        return 1.0
    total, j = 0.0, k + 1
    log_term = -lam + j * math.log(lam) - math.lgamma(j + 1)
    while log_term > -745 and j < k + 5000:  # terms fall from here on, since j > lam
        total += math.exp(log_term)
        j += 1
        log_term += math.log(lam) - math.log(j)
    return min(total, 1.0)


def _check_types(obj: Any, path: str) -> None:
    """Types the C++ structs cannot take, reported by path before conversion; the engine
    checks ranges."""
    for f in fields(obj):
        value = getattr(obj, f.name)
        p = f"{path}.{f.name}"
        kind = _kind(f)
        if kind.startswith("record:"):
            cls = _RECORDS[kind.split(":")[1]]
            if not isinstance(value, cls):
                raise ValueError(
                    f"{p}: expected a {cls.__name__} (or its dict form), got {type(value).__name__}"
                )
            _check_types(value, p)
        elif kind.startswith("records:"):
            cls = _RECORDS[kind.split(":")[1]]
            if value == () and f.default == ():  # an optional list, left empty
                continue
            if not isinstance(value, tuple) or not value:
                raise ValueError(f"{p}: {shown(value)} is not a non-empty list")
            for i, v in enumerate(value):
                if not isinstance(v, cls):
                    raise ValueError(
                        f"{p}[{i}]: expected a {cls.__name__} (or its dict form), got {type(v).__name__}"
                    )
                _check_types(v, f"{p}[{i}]")
        elif kind == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{p}: {shown(value)} is not an integer")
            if not -_C_INT <= value < _C_INT:
                raise ValueError(f"{p}: {shown(value)} is out of range")
        elif kind == "str":
            if not isinstance(value, str) or not value:
                raise ValueError(f"{p}: {shown(value)} is not a non-empty string")
            bad = [c for c in _NAME_FORBIDDEN if c in value]
            if f.name == "name" and bad:
                raise ValueError(
                    f"{p}: {shown(value)} contains {shown(bad[0])}; names may not contain any of {shown(_NAME_FORBIDDEN)}"
                )
        elif kind == "bool":
            if not isinstance(value, bool):
                raise ValueError(f"{p}: {shown(value)} is not true or false")
        elif kind == "floats":
            if value == () and f.default == ():  # an optional list, left empty
                continue
            if not isinstance(value, tuple) or not value:
                raise ValueError(f"{p}: {shown(value)} is not a non-empty list of numbers")
            for i, h in enumerate(value):
                _check_number(h, f"{p}[{i}]")
        elif kind == "float":
            _check_number(value, p)
        # "other" fields (behaviour's productivity tables) are checked where they are converted


def _check_number(value: Any, path: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{path}: {shown(value)} is not a number")
    try:
        finite = math.isfinite(value)
    except OverflowError:  # an int beyond any float
        finite = False
    if not finite:
        raise ValueError(f"{path}: {shown(value)} is not a finite number")


def _build(cls: type, data: Any, path: str) -> Any:
    """A world record from its dict form (or the record itself), checked for missing and
    unknown keys."""
    if isinstance(data, cls):
        return data
    required = [
        f.name
        for f in fields(cls)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]
    optional = [f.name for f in fields(cls) if f.name not in required]
    d = _record(data, path, required, optional)
    kwargs: dict[str, Any] = {}
    for f in fields(cls):
        if f.name not in d:
            continue
        value, kind, p = d[f.name], _kind(f), f"{path}.{f.name}"
        if kind.startswith("record:"):
            kwargs[f.name] = _build(_RECORDS[kind.split(":")[1]], value, p)
        elif kind.startswith("records:"):
            if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, (list, tuple)):
                raise ValueError(f"{p}: expected a list, got {type(value).__name__}")
            sub = _RECORDS[kind.split(":")[1]]
            kwargs[f.name] = tuple(_build(sub, v, f"{p}[{i}]") for i, v in enumerate(value))
        else:
            kwargs[f.name] = value
    return cls(**kwargs)


def _plain(obj: Any) -> Any:
    """The dict form of a value: records and plan parts to dicts, tuples to lists, NumPy
    arrays and scalars to lists and Python numbers."""
    if hasattr(type(obj), "to_dict"):
        return obj.to_dict()
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _plain(getattr(obj, f.name)) for f in fields(obj)}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, Mapping):
        return {k: _plain(v) for k, v in obj.items()}
    return obj


def _read_text(source: str | os.PathLike[str]) -> str:
    if isinstance(source, os.PathLike):
        return read_scenario_file(source)
    if not isinstance(source, str):
        raise ValueError(f"source: expected YAML text or a path, got {type(source).__name__}")
    if "\n" not in source and os.path.exists(source):
        return read_scenario_file(source)
    if "\n" not in source and ":" not in source:
        raise FileNotFoundError(f"scenario file {source!r} does not exist")
    return source


def _to_struct(struct: Any, obj: Any) -> Any:
    for f in fields(obj):
        value = getattr(obj, f.name)
        setattr(struct, f.name, list(value) if isinstance(value, tuple) else value)
    return struct


# -- helpers: dotted paths ------------------------------------------------------------------
def _split_path(path: str) -> list[str]:
    """``"plans.csm:smb.measures[1].weight"`` → ``["plans", "csm:smb", "measures", "1", "weight"]``."""
    parts = re.sub(r"\[([^\]]*)\]", r".\1", path).split(".")
    if any(p == "" for p in parts):
        raise ValueError(f"{path}: not a dotted path (an empty part)")
    if parts[0] not in ("world", "plans"):
        raise ValueError(f"{path}: paths start at 'world' or 'plans'")
    return parts


def _set_path(data: dict[str, Any], parts: list[str], value: Any, full: str) -> None:
    """Set `value` at `parts` in a scenario's dict form (plans may still be Plan objects)."""
    if parts[0] == "plans" and len(parts) <= 2:
        if _relative(value) is not None:
            raise ValueError(f"{full}: {value!r} scales a number; a plan is not one")
        if len(parts) == 1:
            data["plans"] = value
        elif value is None:
            data["plans"].pop(parts[1], None)
        else:
            data["plans"][parts[1]] = value
        return
    if parts[0] == "plans":
        plans = data["plans"]
        if not isinstance(plans, dict) or parts[1] not in plans:
            have = ", ".join(plans) if isinstance(plans, dict) else ""
            raise ValueError(f"{full}: no plan '{parts[1]}' in this scenario (plans: {have})")
    node: Any = data
    where = ""
    for i, head in enumerate(parts):
        last = i == len(parts) - 1
        where = f"{where}.{head}" if where else head
        if isinstance(node, list):
            k = _find_item(node, head)
            if k is None:
                items = [
                    str(x.get("name", j)) if isinstance(x, dict) else str(j)
                    for j, x in enumerate(node)
                ]
                raise ValueError(
                    f"{full}: no item '{head}' in {where.rsplit('.', 1)[0]} (items: {', '.join(items)})"
                )
            key: Any = k
        elif isinstance(node, dict):
            if head not in node:
                parent = where.rsplit(".", 1)[0] if "." in where else "the scenario"
                raise ValueError(
                    f"{full}: '{head}' is not a field of {parent} (allowed: {', '.join(map(str, node))})"
                )
            key = head
        else:
            parent = where.rsplit(".", 1)[0]
            raise ValueError(
                f"{full}: {parent} is {shown(node)}, which has no field '{head}'; set {parent} whole instead"
            )
        if last:
            factor = _relative(value)
            node[key] = value if factor is None else _scaled(node[key], factor, full, where)
        else:
            child = node[key]
            if not isinstance(child, (dict, list)):
                child = _plain(child)
                node[key] = child
            node = child


_RELATIVE = re.compile(r"^\s*[×xX*]\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$")


def _relative(value: Any) -> float | None:
    """The factor of a relative edit (``"×1.1"``, ``"x1.1"``, ``"*1.1"``), else None."""
    if not isinstance(value, str):
        return None
    match = _RELATIVE.match(value)
    return float(match.group(1)) if match else None


def _scaled(current: Any, factor: float, full: str, where: str) -> Any:
    """`current` times `factor`: a number, or each number of a list; an int stays an int
    when the product is whole (a headcount of 4 times 1.5 is 6)."""
    if isinstance(current, list):
        return [_scaled(v, factor, full, f"{where}[{i}]") for i, v in enumerate(current)]
    if uncertainty.is_distribution(current):
        try:
            return uncertainty.from_dict(current, where).scaled(factor).to_dict()
        except ValueError as err:
            raise ValueError(f"{full}: {err}") from None
    if isinstance(current, bool) or not isinstance(current, (int, float)):
        raise ValueError(
            f"{full}: ×{factor:g} scales a number, and {where} is {current!r}; give a value"
        )
    product = float(f"{current * factor:.12g}")  # 90000 × 1.1 is 99000, not 99000.00000000001
    if isinstance(current, int) and product.is_integer():
        return int(product)
    return product


def _expand_path(data: dict[str, Any], parts: list[str], full: str) -> list[list[str]]:
    """Every concrete path a path with ``*`` patterns matches (the path itself when it has
    none). Plan keys, and items of lists by name, metric or index, are matched with
    :func:`fnmatch.fnmatchcase`; a pattern that matches nothing is an error naming what is
    there."""
    if not any("*" in p for p in parts):
        return [parts]
    import fnmatch

    out: list[list[str]] = []

    def walk(node: Any, i: int, done: list[str]) -> None:
        if i == len(parts):
            out.append(done)
            return
        head = parts[i]
        if hasattr(type(node), "to_dict") or dataclasses.is_dataclass(node):
            node = _plain(node)
        if "*" not in head:
            if isinstance(node, list):
                k = _find_item(node, head)
                child = node[k] if k is not None else None
            elif isinstance(node, dict):
                child = node.get(head)
            else:
                child = None
            walk(child, i + 1, [*done, head])
            return
        where = ".".join(done) or "the scenario"
        if isinstance(node, dict):
            names = [str(k) for k in node]
            matched = [(k, node[k]) for k in names if fnmatch.fnmatchcase(k, head)]
        elif isinstance(node, list):
            names = [
                str(x.get("name", j)) if isinstance(x, dict) else str(j) for j, x in enumerate(node)
            ]
            matched = [
                (n, x) for n, x in zip(names, node, strict=True) if fnmatch.fnmatchcase(n, head)
            ]
        else:
            raise ValueError(f"{full}: '{head}' has nothing to match in {where}")
        if not matched:
            raise ValueError(
                f"{full}: '{head}' matches nothing in {where} (there: {', '.join(names) or 'nothing'})"
            )
        for name, child in matched:
            walk(child, i + 1, [*done, name])

    walk(data, 0, [])
    return out


def _item_index(items: list[Any], head: str) -> int:
    """:func:`_find_item` for a path known to exist."""
    k = _find_item(items, head)
    if k is None:
        raise ValueError(f"no item '{head}'")
    return k


def _find_item(items: list[Any], head: str) -> int | None:
    """An item of a list by index, then by ``name``, then by ``metric``."""
    if head.isdigit() and int(head) < len(items):
        return int(head)
    for attr in ("name", "metric"):
        for k, item in enumerate(items):
            if isinstance(item, dict) and item.get(attr) == head:
                return k
    return None


def _behaviour_to_core(b: Behaviour) -> Any:
    core = _core.BehaviourConfig()
    core.incentive_sensitivity = b.incentive_sensitivity
    core.projection_uncertainty = b.projection_uncertainty
    for name in ("effort_cost_ae", "effort_cost_csm", "effort_elasticity", "max_effort_level"):
        setattr(core, name, getattr(b, name))
    metrics = [m["name"] for m in _core.METRICS]
    for role in ("csm", "ae"):
        table = getattr(b, f"{role}_productivity")
        if table is None:
            continue
        path = f"world.behaviour.{role}_productivity"
        if not isinstance(table, Mapping):
            raise ValueError(
                f"{path}: expected {{activity: {{metric: value}}}}, got {shown(table)}"
            )
        flat = [0.0] * (len(ACTIVITIES[role]) * len(metrics))
        for activity, row in table.items():
            if activity not in ACTIVITIES[role]:
                raise ValueError(
                    f"{path}.{activity}: not an activity; allowed: {', '.join(ACTIVITIES[role])}"
                )
            if not isinstance(row, Mapping):
                raise ValueError(f"{path}.{activity}: expected {{metric: value}}, got {shown(row)}")
            for metric, value in row.items():
                if metric not in metrics:
                    raise ValueError(
                        f"{path}.{activity}.{metric}: not a metric; allowed: {', '.join(metrics)}"
                    )
                _check_number(value, f"{path}.{activity}.{metric}")
                flat[ACTIVITIES[role].index(activity) * len(metrics) + metrics.index(metric)] = (
                    float(value)
                )
        setattr(core, f"{role}_productivity", flat)
    return core


# -- the workforce (docs/model.md §9) --------------------------------------------------------
def _monthly_hazard(annual: float) -> float:
    """The monthly chance of leaving that compounds to ``annual`` over 12 months."""
    return 1.0 - (1.0 - annual) ** (1.0 / 12.0)


def _role_and_segment(w: World, role: str, segment: str, path: str) -> tuple[Any, int]:
    if role not in ROLES:
        raise ValueError(f"{path}.role: {shown(role)} is not a role; allowed: {', '.join(ROLES)}")
    names = w.segment_names()
    if role == "sdr":
        if segment != "any":
            raise ValueError(
                f"{path}.segment: {shown(segment)} for an SDR; SDRs serve every segment: 'any'"
            )
        return _core.Role.sdr, -1
    if segment not in names:
        raise ValueError(
            f"{path}.segment: {shown(segment)} is not a segment; allowed: {', '.join(names)}"
        )
    return getattr(_core.Role, role), names.index(segment)


def _workforce_to_core(w: World) -> Any:
    """The engine's workforce struct; named reps' own terms are set by :func:`_roster_terms`."""
    wf = w.workforce
    core = _core.WorkforceConfig()
    roles = []
    for role in ROLES:
        st: Staffing = getattr(wf, role)
        path = f"world.workforce.{role}"
        c = _core.RoleStaffing()
        c.ramp = list(st.ramp)
        c.quota_ramp = list(st.quota_ramp)
        for i, band in enumerate(st.attrition):
            if not 0.0 <= band.annual_rate <= 1.0:
                raise ValueError(
                    f"{path}.attrition[{i}].annual_rate: {shown(band.annual_rate)} is not in [0, 1] "
                    "(the chance a rep leaves within a year)"
                )
        c.attrition_from = [b.from_month for b in st.attrition]
        c.attrition_hazard = [_monthly_hazard(b.annual_rate) for b in st.attrition]
        c.backfill_lag = st.backfill_lag_months
        roles.append(c)
    core.roles = roles
    if wf.vacancy not in VACANCY:
        raise ValueError(
            f"world.workforce.vacancy: {shown(wf.vacancy)} is not one of {', '.join(VACANCY)}"
        )
    if wf.quota_method not in QUOTA_METHODS:
        raise ValueError(
            f"world.workforce.quota_method: {shown(wf.quota_method)} is not one of "
            f"{', '.join(QUOTA_METHODS)}"
        )
    core.vacancy = getattr(_core.Vacancy, wf.vacancy)
    core.quota_method = getattr(_core.QuotaMethod, wf.quota_method)
    seats = []
    named: dict[tuple[str, str], int] = {}
    names = [r.name for r in wf.roster]
    for i, rep in enumerate(wf.roster):
        path = f"world.workforce.roster[{i}]"
        if names.count(rep.name) > 1:
            raise ValueError(f"{path}.name: {shown(rep.name)} names two reps; names are unique")
        role, segment = _role_and_segment(w, rep.role, rep.segment, path)
        if rep.hired_month >= w.months:
            raise ValueError(
                f"{path}.hired_month: {rep.hired_month} is after the horizon; allowed: up to "
                f"{w.months - 1} (months 0..{w.months - 1}), or <= 0 for a rep there at the start"
            )
        for key in ("quota", "ote"):
            value = getattr(rep, key)
            if value < 0:
                raise ValueError(f"{path}.{key}: {shown(value)} is not >= 0 (0: its plan's)")
        seat = _core.SeatConfig()
        seat.role, seat.segment, seat.hired = role, segment, rep.hired_month
        seats.append(seat)
        if rep.hired_month <= 0:
            named[(rep.role, rep.segment)] = named.get((rep.role, rep.segment), 0) + 1
        else:
            named.setdefault((rep.role, rep.segment), 0)
    # Named reps hold seats of their role and segment's headcount at month 0 (the rest are
    # unnamed); those starting later add seats.
    for (role_name, segment_name), count in named.items():
        if role_name == "sdr":
            field_path, headcount = "world.sdr_headcount", w.sdr_headcount
        else:
            seg = w.segments[w.segment_names().index(segment_name)]
            field_path = f"world.segments.{segment_name}.{role_name}_headcount"
            headcount = getattr(seg, f"{role_name}_headcount")
        where = "" if role_name == "sdr" else f" of {segment_name}"
        if headcount < count:
            raise ValueError(
                f"{field_path}: {headcount}, but world.workforce.roster names {count} "
                f"{role_name.upper()}s{where} there at month 0; set it to at least {count} "
                "(the named reps hold seats of the headcount, the others are unnamed)"
            )
    core.roster = seats
    hires = []
    for i, h in enumerate(wf.hiring):
        path = f"world.workforce.hiring[{i}]"
        role, segment = _role_and_segment(w, h.role, h.segment, path)
        if not 0 <= h.month < w.months:
            raise ValueError(f"{path}.month: {h.month} is not in [0, {w.months - 1}]")
        if h.headcount < 0:
            raise ValueError(f"{path}.headcount: {h.headcount} is not >= 0")
        step = _core.HiringStep()
        step.role, step.segment, step.month, step.headcount = role, segment, h.month, h.headcount
        hires.append(step)
    core.hiring = hires
    pa = _core.PayAttritionConfig()
    _to_struct(pa, wf.pay_attrition)
    core.pay_attrition = pa
    return core


def _roster_terms(scenario: Scenario, core: Any) -> None:
    """Named reps' own quota and OTE as multiples of their plan's (quota: its first
    measure's target for a year)."""
    w = scenario.world
    if not w.workforce.roster:
        return
    seats = list(core.world.workforce.roster)
    for i, (rep, seat) in enumerate(zip(w.workforce.roster, seats, strict=True)):
        path = f"world.workforce.roster[{i}]"
        plan = scenario.plan_for(rep.role, None if rep.role == "sdr" else rep.segment)
        if plan is None:
            if rep.quota or rep.ote:
                raise ValueError(
                    f"{path}: {rep.name} has its own quota or OTE but no plan pays its role"
                )
            continue
        if rep.ote:
            seat.ote_scale = rep.ote / plan.ote
        if rep.quota:
            first = plan.measures[0]
            if METRICS[first.metric]["is_rate"]:
                raise ValueError(
                    f"{path}.quota: {shown(rep.quota)}, but its plan's first measure "
                    f"({first.name}, {first.metric}) is a rate; a quota needs a volume measure"
                )
            months = plan.target_months or w.period_months
            seat.quota_scale = rep.quota / (first.target * 12 / months)
    w_core = core.world
    wf = w_core.workforce
    wf.roster = seats
    w_core.workforce = wf
    core.world = w_core


# -- helpers: uncertain fields ----------------------------------------------------------------
_GROUPS = {"segments": "Segment", "products": "Product"}


def _uncertain_target(world: World, parts: list[str], full: str) -> tuple[list[str], Any]:
    """The canonical parts (segments and products by name) of an uncertain field's path
    and its current value; ValueError unless it is a real-valued world field."""
    node: Any = world
    canonical: list[str] = []
    i = 0
    while i < len(parts):
        head = parts[i]
        if not dataclasses.is_dataclass(node):
            raise ValueError(f"{full}: not a world field that can be uncertain")
        names = {f.name: f for f in fields(node)}
        if head not in names:
            where = ".".join(["world", *canonical]) or "world"
            raise ValueError(
                f"{full}: '{head}' is not a field of {where} (allowed: {', '.join(names)})"
            )
        kind = _kind(names[head])
        value = getattr(node, head)
        if kind.startswith("records:"):
            if i + 1 >= len(parts):
                raise ValueError(f"{full}: a list of records cannot be uncertain; name a field")
            items = [_plain(v) for v in value]
            k = _find_item(items, parts[i + 1])
            if k is None:
                raise ValueError(
                    f"{full}: no item '{parts[i + 1]}' in world.{head} "
                    f"(items: {', '.join(str(v.get('name', j)) for j, v in enumerate(items))})"
                )
            canonical += [head, value[k].name]
            node = value[k]
            i += 2
            continue
        if kind.startswith("record:"):
            canonical.append(head)
            node = value
            i += 1
            continue
        if i != len(parts) - 1 or kind not in ("float", "floats"):
            raise _not_uncertain(full, kind)
        return [*canonical, head], value
    raise ValueError(f"{full}: names a group of fields, not one field")


def _replace_fields(node: Any, changes: list[tuple[list[str], Any, str]]) -> Any:
    """A copy of a world record with each ``(parts, value, full path)`` set, each record
    rebuilt once however many of its fields change (a record checks itself when built)."""
    direct: dict[str, Any] = {}
    nested: dict[str, list[tuple[list[str], Any, str]]] = {}
    for parts, value, full in changes:
        if len(parts) == 1:
            direct[parts[0]] = _field_value(value)
        else:
            nested.setdefault(parts[0], []).append((parts[1:], value, full))
    for head, inner in nested.items():
        current = getattr(node, head)
        if isinstance(current, tuple):
            items = list(current)
            by_item: dict[int, list[tuple[list[str], Any, str]]] = {}
            for parts, value, full in inner:
                k = _find_item([{"name": v.name} for v in current], parts[0])
                if k is None:
                    raise ValueError(f"{full}: no item '{parts[0]}' in {head}")
                by_item.setdefault(k, []).append((parts[1:], value, full))
            for k, item_changes in by_item.items():
                items[k] = _replace_fields(current[k], item_changes)
            direct[head] = tuple(items)
        else:
            direct[head] = _replace_fields(current, inner)
    return dataclasses.replace(node, **direct) if direct else node


def _field_value(value: Any) -> Any:
    """A drawn value as a record field holds it: floats, or a tuple of them."""
    if isinstance(value, np.ndarray):
        return tuple(float(v) for v in value) if value.ndim else float(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def _check_shape(parts: list[str], dist: Distribution, path: str) -> None:
    """A distribution fits its field: a count cannot be uncertain, a list field takes list
    parameters, a number single ones."""
    record: type = World
    if parts[0] in _GROUPS and len(parts) >= 3:
        record, parts = _RECORDS[_GROUPS[parts[0]]], parts[2:]
    elif parts[0] in ("effort", "behaviour") and len(parts) >= 2:
        record, parts = (Effort if parts[0] == "effort" else Behaviour), parts[1:]
    kinds = {f.name: _kind(f) for f in fields(record)}
    if len(parts) != 1 or parts[0] not in kinds:
        raise ValueError(f"{path}: not a world field that can be uncertain")
    kind = kinds[parts[0]]
    if kind not in ("float", "floats"):
        raise _not_uncertain(path, kind)
    _check_size(path, kind == "floats", dist)


def _not_uncertain(path: str, kind: str) -> ValueError:
    what = {"int": "a count", "bool": "true or false", "str": "a name"}.get(kind, "not a number")
    return ValueError(
        f"{path}: {what}, which cannot be uncertain; only real-valued world fields "
        "(a number or a list of numbers) take a distribution: compare or sweep the "
        "values of a count instead"
    )


def _check_size(path: str, is_list: bool, dist: Distribution) -> None:
    """A list field takes list parameters, a number single ones."""
    if is_list and dist.size is None:
        raise ValueError(
            f"{path}: a list of numbers; give the {dist.kind} distribution's parameters as "
            "lists (e.g. one median per entry), not single numbers"
        )
    if not is_list and dist.size is not None:
        raise ValueError(
            f"{path}: a single number; give the {dist.kind} distribution single numbers, "
            f"not lists of {dist.size}"
        )


def _normalise_uncertain(
    world: World, uncertain: Mapping[str, Any]
) -> tuple[dict[str, Distribution], World]:
    """Canonical paths, distributions checked against their fields (a list field takes
    list parameters of its length), and the world with each field at its median."""
    out: dict[str, Distribution] = {}
    for path, dist in uncertain.items():
        if not isinstance(path, str):
            raise ValueError(f"uncertain: path {shown(path)} is not a string")
        parts = _split_path(path)
        if parts[0] != "world":
            raise ValueError(f"{path}: only world fields can be uncertain, not plans")
        canonical, current = _uncertain_target(world, parts[1:], path)
        key = ".".join(["world", *canonical])
        dist = uncertainty.from_dict(dist, key)
        if key in out:
            raise ValueError(f"{path}: given twice (as {key})")
        _check_size(key, isinstance(current, tuple), dist)
        out[key] = dist
        world = _replace_fields(world, [(canonical, dist.nominal(), key)])
    return out, world


def _rounded(value: Any) -> Any:
    """A drawn value to six significant digits, for messages."""
    if isinstance(value, tuple):
        return tuple(_rounded(v) for v in value)
    return float(f"{value:.6g}")


def _blame_uncertain(scenario: Scenario, err: ValueError, what: str) -> ValueError:
    """An error about an uncertain field's value (its median, say) named by the field's
    uncertain path and its distribution; any other error as it is."""
    text = str(err)
    names = scenario.world.segment_names()
    products = [p.name for p in scenario.world.products]
    for path, dist in scenario.uncertain.items():
        parts = _split_path(path)
        index = path
        if parts[1] in _GROUPS:
            group = names if parts[1] == "segments" else products
            if parts[2] in group:
                index = f"world.{parts[1]}[{group.index(parts[2])}].{'.'.join(parts[3:])}"
        if text.startswith((index + ":", index + "[", path + ":")):
            return ValueError(
                f"{path}: {dist.describe()} has a {what} the scenario does not allow: {text}"
            )
    return err


def _check_supports(scenario: Scenario) -> None:
    """Refuse a distribution that can draw a value its field does not allow: the scenario
    is built at each end of each distribution's attainable range (the others at their
    medians)."""
    for path, dist in scenario.uncertain.items():
        for end, value in zip(("least", "greatest"), dist.attainable(), strict=True):
            try:
                scenario.at({path: value})
            except ValueError as err:
                shown_value = uncertainty._shown(_rounded(value))
                raise ValueError(
                    f"{path}: {dist.describe()} can draw {shown_value} (its {end} value, at "
                    f"odds of 1 in 2**53), which the scenario does not allow: {err}. Narrow "
                    "the distribution, or truncate it with low / high inside the allowed range"
                ) from None


def _extract_uncertain(data: Any) -> tuple[Any, dict[str, Any]]:
    """A world's dict form with distributions (``{"dist": ...}`` mappings, or distribution
    objects) taken out, and ``{path: distribution}`` for them (segments and products named
    by ``name``, else index). The world keeps the values it had where a distribution was
    (the scenario puts each median there)."""
    found: dict[str, Any] = {}
    if not isinstance(data, Mapping):
        return data, found

    def take(record: Any, prefix: str) -> Any:
        if not isinstance(record, Mapping):
            return record
        out = dict(record)
        for key, value in record.items():
            path = f"{prefix}.{key}"
            if uncertainty.is_distribution(value):
                found[path] = value
                out[key] = 0.0
            elif key in _GROUPS and prefix == "world" and isinstance(value, (list, tuple)):
                items = []
                for k, item in enumerate(value):
                    name = item.get("name") if isinstance(item, Mapping) else None
                    label = name if isinstance(name, str) and name else str(k)
                    items.append(take(item, f"{path}.{label}"))
                out[key] = items
            elif key in ("effort", "behaviour") and prefix == "world":
                out[key] = take(value, path)
        return out

    world = take(data, "world")
    # A list field's placeholder must have the list's shape for the world to build.
    for path, value in found.items():
        dist = uncertainty.from_dict(value, path)
        parts = _split_path(path)[1:]
        _check_shape(parts, dist, path)
        node: Any = world
        for head in parts[:-1]:
            node = node[_item_index(node, head)] if isinstance(node, list) else node[head]
        nominal = dist.nominal()
        node[parts[-1]] = list(nominal) if isinstance(nominal, tuple) else nominal
    return world, found
