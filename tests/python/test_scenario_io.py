"""Scenarios: dict and YAML round trips, full-path validation, dotted-path edits, fuzzing."""

from __future__ import annotations

import copy
import math
import re

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import complab
from complab import Clawback, Measure, PayoutCurve, Plan, Scenario, Segment, presets


@pytest.fixture(scope="module")
def default() -> Scenario:
    return presets.default()


# -- round trips ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name", presets.list())
def test_every_preset_round_trips_through_dict_and_yaml(name):
    scenario = presets.get(name)
    data = scenario.to_dict()
    assert Scenario.from_dict(data) == scenario
    assert Scenario.from_dict(copy.deepcopy(data)).to_dict() == data
    text = scenario.to_yaml()
    assert Scenario.from_yaml(text) == scenario
    assert yaml.safe_load(text) == data  # plain YAML: no Python tags


def test_yaml_file_round_trip(tmp_path, default):
    path = tmp_path / "scenario.yaml"
    text = default.to_yaml(path)
    assert path.read_text(encoding="utf-8") == text
    assert complab.load_scenario(path) == default
    assert complab.load_scenario(str(path)) == default
    assert Scenario.from_yaml(str(path)) == default


@settings(max_examples=60, deadline=None)
@given(
    acv=st.floats(min_value=1e-300, max_value=1e300, allow_nan=False),
    rate=st.floats(min_value=0.0, max_value=1.0),
    hazard=st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=1, max_size=5),
)
def test_floats_survive_yaml_exactly(acv, rate, hazard):
    scenario = presets.default().with_(
        {
            "world.segments.smb.acv_median": acv,
            "world.segments.smb.win_rate": rate,
            "world.segments.smb.renewal_hazard": hazard,
        }
    )
    back = Scenario.from_yaml(scenario.to_yaml())
    assert back == scenario
    seg = back.world.segments[0]
    assert seg.acv_median == acv and seg.win_rate == rate and list(seg.renewal_hazard) == hazard


def test_numpy_values_become_plain_python(default):
    edited = default.with_(
        {
            "world.segments.smb.win_rate": np.float64(0.3),
            "world.segments.smb.ae_headcount": np.int64(4),
            "world.segments.smb.renewal_hazard": np.array([0.3, 0.2]),
            "plans.csm:smb.ote": np.float32(95_000),
        }
    )
    seg = edited.world.segments[0]
    assert type(seg.win_rate) is float and type(seg.ae_headcount) is int
    assert seg.renewal_hazard == (0.3, 0.2)
    assert Scenario.from_yaml(edited.to_yaml()) == edited


def test_missing_fields_take_defaults(default):
    data = default.to_dict()
    del data["world"]["gap_decay"]
    del data["world"]["segments"][0]["health_noise"]
    data.pop("plans")
    scenario = Scenario.from_dict(data)
    assert scenario.world.gap_decay == complab.World(segments=default.world.segments).gap_decay
    assert (
        scenario.world.segments[0].health_noise
        == Segment.__dataclass_fields__["health_noise"].default
    )
    assert scenario.plans == {}


# -- validation messages -------------------------------------------------------------------------
def _mutate(data, path, value):
    node = data
    parts = path.split(".")
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    last = parts[-1]
    if value is _DELETE:
        del node[last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


_DELETE = object()


@pytest.mark.parametrize(
    "path, value, message",
    [
        (
            "plans.csm:enterprise.measures.1.weight",
            1.4,
            "plans.csm:enterprise.measures[1].weight: 1.4 is not in [0, 1]",
        ),
        ("world.segments.0.win_rate", 1.4, "world.segments[0].win_rate: 1.4 is not in [0, 1]"),
        (
            "world.segments.2.renewal_hazard.1",
            -0.1,
            "world.segments[2].renewal_hazard[1]: -0.1 is not in [0, 1]",
        ),
        (
            "world.segments.1.win_rate",
            math.nan,
            "world.segments[1].win_rate: nan is not a finite number",
        ),
        ("world.segments.1.win_rate", "high", "world.segments[1].win_rate: 'high' is not a number"),
        ("world.months", 12.5, "world.months: 12.5 is not an integer"),
        (
            "world.months",
            10**40,
            "world.months: 10000000000000000000000000000000000000000 is out of range",
        ),
        ("world.effort.csm_adoption", 2.0, "world.effort.csm_adoption: 2 is not in [0, 1]"),
        ("world.segments.0.name", "s.m.b", "world.segments[0].name: 's.m.b' contains '.'"),
        ("world.products", [], "world.products: () is not a non-empty list"),
        (
            "world.segments.0.name",
            "7",
            "world.segments[0].name: '7' is a number; a segment's name needs a letter",
        ),
        (
            "world.products",
            [{"name": "core"}, {"name": "core"}],
            "world.products: names ['core', 'core'] are not unique",
        ),
        (
            "plans.csm:smb.measures.0.curve.payout.0",
            -1,
            "plans.csm:smb.measures[0].curve.payout[0]: -1 is not a finite number >= 0",
        ),
        ("plans.ae:smb.ote", -5, "plans.ae:smb.ote: -5 is not a finite number > 0"),
        (
            "plans.ae:smb.role",
            "csm",
            "plans.ae:smb.measures[0].metric: 'new_arr' is not a metric of role csm",
        ),
        ("plans.sdr", 3, "plans.sdr: expected a mapping, got int"),
    ],
)
def test_validation_errors_name_the_full_path(default, path, value, message):
    data = default.to_dict()
    _mutate(data, path, value)
    with pytest.raises(ValueError) as err:
        Scenario.from_dict(data)
    assert str(err.value).startswith(message), str(err.value)


def test_a_plan_under_another_roles_key_is_rejected(default):
    data = default.to_dict()
    data["plans"]["ae:smb"] = data["plans"]["csm:smb"]
    with pytest.raises(
        ValueError, match=r"^plans\.ae:smb\.role: the plan is for role 'csm', not 'ae'"
    ):
        Scenario.from_dict(data)


def test_unknown_keys_are_rejected_with_the_allowed_keys_listed(default):
    data = default.to_dict()
    data["world"]["segments"][2]["winrate"] = 0.2
    with pytest.raises(
        ValueError,
        match=r"^world\.segments\[2\]: unknown key 'winrate' \(allowed: name, initial_accounts, .*win_rate",
    ):
        Scenario.from_dict(data)
    data = default.to_dict()
    data["plans"]["ae:smb"]["quota"] = 1
    with pytest.raises(
        ValueError,
        match=r"^plans\.ae:smb: unknown key 'quota' \(allowed: role, ote, base_share, measures",
    ):
        Scenario.from_dict(data)
    data = default.to_dict()
    data["plans"]["csm:nowhere"] = data["plans"]["csm:smb"]
    with pytest.raises(
        ValueError, match=r"^plans\.csm:nowhere: not a plan key; allowed: ae, sdr, csm, ae:smb"
    ):
        Scenario.from_dict(data)
    with pytest.raises(
        ValueError, match=r"^scenario: unknown key 'extra' \(allowed: world, plans, book\)"
    ):
        Scenario.from_dict({**default.to_dict(), "extra": 1})


def test_missing_required_keys_are_named(default):
    data = default.to_dict()
    del data["world"]["segments"][1]["acv_median"]
    with pytest.raises(ValueError, match=r"^world\.segments\[1\]: missing key 'acv_median'"):
        Scenario.from_dict(data)
    with pytest.raises(ValueError, match=r"^scenario: missing key 'world'"):
        Scenario.from_dict({"plans": {}})


def test_yaml_errors_are_value_errors(tmp_path):
    with pytest.raises(ValueError, match="scenario YAML: not valid YAML"):
        Scenario.from_yaml("world: [unclosed\nplans: {}\n")
    with pytest.raises(ValueError, match="scenario: expected a mapping, got list"):
        Scenario.from_yaml("- 1\n- 2\n")
    with pytest.raises(FileNotFoundError):
        complab.load_scenario(tmp_path / "absent.yaml")
    with pytest.raises(FileNotFoundError):
        Scenario.from_yaml(str(tmp_path / "absent.yaml"))


def test_whole_floats_are_integers_in_plans_as_in_the_world(default):
    data = default.to_dict()
    data["plans"]["ae:smb"]["clawback"] = {"share": 0.5, "window_months": 12.0}
    assert Scenario.from_dict(data).plans["ae:smb"].clawback.window_months == 12
    data["plans"]["ae:smb"]["clawback"]["window_months"] = 12.5
    with pytest.raises(ValueError, match="clawback.window_months: 12.5 is not an integer"):
        Scenario.from_dict(data)


def test_yaml_reads_exponents_as_numbers_and_refuses_repeated_keys(default):
    text = default.to_yaml()
    assert "ote: 90000.0" in text
    assert Scenario.from_yaml(text.replace("ote: 90000.0", "ote: 9e4", 1)) == default
    repeated = text.replace("ote: 90000.0", "ote: 90000.0\n    ote: 95000.0", 1)
    line = repeated.splitlines().index("    ote: 95000.0") + 1
    with pytest.raises(ValueError, match=rf"line {line}, column \d+: key 'ote' is given twice"):
        Scenario.from_yaml(repeated)


# -- dotted-path edits ---------------------------------------------------------------------------
def test_with_addresses_segments_by_name_index_and_brackets(default):
    by_name = default.with_({"world.segments.mid_market.win_rate": 0.31})
    by_index = default.with_({"world.segments.1.win_rate": 0.31})
    by_bracket = default.with_({"world.segments[1].win_rate": 0.31})
    assert by_name == by_index == by_bracket
    assert by_name.world.segments[1].win_rate == 0.31
    assert default.world.segments[1].win_rate == 0.2  # the original is unchanged
    assert default.with_(world__segments__smb__win_rate=0.31).world.segments[0].win_rate == 0.31


def test_with_addresses_plan_measures_by_name_metric_and_index(default):
    a = default.with_({"plans.csm:smb.measures.nrr.target": 1.01})
    b = default.with_({"plans.csm:smb.measures[1].target": 1.01})
    assert a == b
    assert a.plans["csm:smb"].measures[1].target == 1.01
    curve = PayoutCurve.linear(threshold=0.5, cap=1.5)
    c = default.with_({"plans.csm:smb.measures.gross_churn.curve": curve})
    assert c.plans["csm:smb"].measures[0].curve == curve
    assert c.plans["csm:mid_market"] == default.plans["csm:mid_market"]


def test_with_applies_all_changes_before_checking(default):
    moved = default.with_(
        {"plans.csm:smb.measures.gross_churn.weight": 0.5, "plans.csm:smb.measures.nrr.weight": 0.5}
    )
    assert [m.weight for m in moved.plans["csm:smb"].measures] == [0.5, 0.5]
    with pytest.raises(ValueError, match=r"^plans\.csm:smb\.measures: weights sum to 1\.15"):
        default.with_({"plans.csm:smb.measures.gross_churn.weight": 0.8})


def test_with_adds_replaces_and_removes_plans(default):
    plan = Plan(
        role="csm",
        ote=100_000,
        base_share=0.8,
        measures=[Measure("nrr", weight=1.0, target=1.05, curve=PayoutCurve.linear())],
    )
    added = default.with_({"plans.csm": plan, "plans.ae:smb.clawback": Clawback(share=0.5)})
    assert added.plans["csm"] == plan
    assert added.plans["ae:smb"].clawback == Clawback(share=0.5)
    assert added.with_({"plans.ae:smb.clawback.share": 0.25}).plans["ae:smb"].clawback.share == 0.25
    removed = added.with_({"plans.csm": None})
    assert "csm" not in removed.plans
    assert removed.with_({"plans.csm": plan}) == added


@pytest.mark.parametrize(
    "path, message",
    [
        (
            "world.segments.nowhere.win_rate",
            r"no item 'nowhere' in world\.segments \(items: smb, mid_market, enterprise\)",
        ),
        (
            "world.segments.smb.winrate",
            r"'winrate' is not a field of world\.segments\.smb \(allowed: name, ",
        ),
        ("world.montsh", r"'montsh' is not a field of world \(allowed: segments, months, "),
        ("plans.ae:nowhere.ote", r"no plan 'ae:nowhere' in this scenario \(plans: ae:smb, "),
        (
            "plans.csm:smb.measures.expand_rate.weight",
            r"no item 'expand_rate' in plans\.csm:smb\.measures \(items: gross_churn, nrr\)",
        ),
        (
            "plans.ae:smb.clawback.share",
            r"plans\.ae:smb\.clawback is None, which has no field 'share'",
        ),
        ("budget.total", r"paths start at 'world' or 'plans'"),
        ("world..months", r"not a dotted path \(an empty part\)"),
    ],
)
def test_with_names_what_a_bad_path_could_be(default, path, message):
    with pytest.raises(ValueError, match=f"^{re.escape(path)}: {message}"):
        default.with_({path: 1})


def test_with_error_paths_are_valid_edit_paths(default):
    data = default.to_dict()
    _mutate(data, "plans.csm:enterprise.measures.1.weight", 1.4)
    with pytest.raises(ValueError) as err:
        Scenario.from_dict(data)
    path = str(err.value).split(":")[0] + ":" + str(err.value).split(":")[1]
    assert path == "plans.csm:enterprise.measures[1].weight"
    assert default.with_({path: 0.35}) == default


# -- fuzzing -------------------------------------------------------------------------------------
def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*prefix, i))


_GARBAGE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.lists(st.one_of(st.integers(), st.floats(), st.text(max_size=3)), max_size=4),
    st.dictionaries(
        st.text(max_size=6), st.one_of(st.integers(), st.floats(), st.none()), max_size=3
    ),
)
_PATH_HEAD = re.compile(r"^(world|plans|scenario)[^ ]*: ")


@pytest.fixture(scope="module")
def small_dict():
    world = presets.default().world
    scenario = presets.default()
    return scenario.with_(
        {
            "world.segments": world.segments[:2],
            "plans.ae:enterprise": None,
            "plans.csm:enterprise": None,
        }
    ).to_dict()


@settings(
    max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_mutated_scenario_dicts_give_a_valid_scenario_or_a_clear_error(small_dict, data):
    d = copy.deepcopy(small_dict)
    for _ in range(data.draw(st.integers(min_value=1, max_value=3), label="mutations")):
        paths = [p for p in _paths(d) if p]
        if not paths:  # an earlier mutation left nothing inside
            break
        path = data.draw(st.sampled_from(paths), label="path")
        parent = d
        for part in path[:-1]:
            parent = parent[part]
        action = data.draw(st.sampled_from(["replace", "delete", "extra"]), label="action")
        if action == "replace":
            parent[path[-1]] = data.draw(_GARBAGE, label="value")
        elif action == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif action == "delete":
            parent.pop(path[-1])
        elif isinstance(parent, dict):
            parent[data.draw(st.text(min_size=1, max_size=6), label="key")] = data.draw(_GARBAGE)
    try:
        scenario = Scenario.from_dict(d)
    except ValueError as err:
        assert _PATH_HEAD.match(str(err)), str(err)
        return
    assert Scenario.from_dict(scenario.to_dict()) == scenario
    assert Scenario.from_yaml(scenario.to_yaml()) == scenario
