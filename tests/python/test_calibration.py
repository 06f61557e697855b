"""Calibration and validation on sample companies generated from known parameters
(complab.datasets.SAMPLE_TRUTH): the fitted rates cover the truth within their reported 95%
intervals, the scenario starts from the data's book account by account, and validation's
P10–P90 coverage is within its binomial tolerance of 80% — and flags a fit whose churn is
30% too low."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from scipy import stats

import complab
from complab.data.calibrate import HAZARD_INDICES
from complab.datasets import SAMPLE_TRUTH

SEEDS = (1, 2, 3)
AS_OF = "2025-01-01"


@pytest.fixture(scope="module")
def companies(tmp_path_factory):
    root = tmp_path_factory.mktemp("companies")
    return {
        s: complab.load_company(complab.datasets.sample_company(root / f"s{s}", seed=s))
        for s in SEEDS
    }


def _truth(row) -> float | None:
    """The generating value of a fitted rate, or None where the table's rate is not one
    parameter of the generator (a pooled win rate, a deterministic upsell fraction)."""
    t = SAMPLE_TRUTH
    seg, key = row.segment, row.key
    if row.rate == "renewal_hazard":
        h = t["renewal_hazard"][seg]
        r = int(str(key).rstrip("+"))
        return h[min(r, len(h) - 1)]
    if row.rate == "win_rate" and key != "all":
        return t["win_rate"][seg][key]
    if row.rate == "sales_cycle" and key == "median":
        return float(t["sales_cycle_months"][seg])
    if row.rate == "sales_cycle" and key == "log_sd":
        return t["cycle_log_sd"]
    if row.rate == "deal_size":
        return t["acv_median"][seg] if key == "median" else t["acv_log_sd"][seg]
    if row.rate in ("inbound_opportunities", "ae_prospecting", "csql_rate", "expansion_win_rate"):
        return t[row.rate][seg]
    if row.rate == "opportunities_per_sdr":
        return t["opportunities_per_sdr"]
    if row.rate == "opportunity_share":
        return t["opportunity_share"][seg]
    if row.rate == "handoff_acceptance" and seg == "all":
        return t["handoff_acceptance"]
    if row.rate == "usage_growth":
        return t["usage_growth"][seg]
    if row.rate == "attrition":
        return t["attrition"][key]
    return None


def test_fitted_rates_cover_the_truth_within_their_95_percent_intervals(companies):
    checked = missed = 0
    worst = []
    for seed, company in companies.items():
        table = complab.fit_rates(company, company.last_date() + dt.timedelta(days=1))
        for row in table.itertuples(index=False):
            truth = _truth(row)
            if truth is None:
                continue
            checked += 1
            inside = row.lo95 <= truth <= row.hi95
            missed += not inside
            if not inside:
                worst.append(
                    (seed, row.rate, row.segment, row.key, row.estimate, row.lo95, row.hi95, truth)
                )
            # No estimate far off: a bias would show as many misses or one wild one.
            if row.se > 0:
                assert abs(row.estimate - truth) < 5 * row.se + 1e-12, (seed, row)
    assert checked >= 40 * len(companies)
    # 95% intervals: the misses over every check stay within a binomial 99.9% bound.
    bound = stats.binom.ppf(0.999, checked, 0.05)
    assert missed <= bound, (missed, checked, worst)


def test_renewal_hazards_are_fitted_by_renewal_index(companies):
    table = complab.fit_rates(companies[1], AS_OF)
    hz = table[table["rate"] == "renewal_hazard"]
    assert len(hz) == HAZARD_INDICES * 3
    smb = hz[hz["segment"] == "smb"].set_index("key")["estimate"]
    assert smb["0"] > smb["3+"]  # the first renewal is the most dangerous
    assert set(hz["world_path"]) == {
        f"world.segments.{s}.renewal_hazard[{r}]"
        for s in SAMPLE_TRUTH["segments"]
        for r in range(HAZARD_INDICES)
    }


def test_an_uncertain_calibration_carries_each_fits_posterior(companies):
    """calibrate(uncertain=True): each fitted rate's field holds the posterior draw_rates
    draws from, checked quantile by quantile against scipy's Beta and Gamma."""
    company = companies[3]
    table = complab.fit_rates(company, AS_OF)
    scenario = complab.calibrate(company, AS_OF, rates=table, uncertain=True)
    dists = scenario.uncertain
    row = lambda rate, seg, key: table[  # noqa: E731
        (table["rate"] == rate) & (table["segment"] == seg) & (table["key"] == key)
    ].iloc[0]
    q = np.array([0.1, 0.5, 0.9])
    # A win rate: Beta(k + 1/2, n - k + 1/2) exactly.
    win = row("win_rate", "smb", "all")
    expected = stats.beta(win.observed + 0.5, win.n - win.observed + 0.5).ppf(q)
    np.testing.assert_allclose(dists["world.segments.smb.win_rate"].ppf(q), expected, rtol=1e-9)
    # The renewal hazards: one list field, each entry its own Beta, one draw for all.
    hz = dists["world.segments.mid_market.renewal_hazard"].ppf(np.array([0.5]))
    for r, key in enumerate(("0", "1", "2", "3+")):
        h = row("renewal_hazard", "mid_market", key)
        median = stats.beta(h.observed + 0.5, h.n - h.observed + 0.5).median()
        assert hz[..., r].item() == pytest.approx(median, rel=1e-9)
    # A Poisson rate: the Gamma(k + 1/2) posterior's median, and its spread within 3%.
    lead = row("inbound_opportunities", "smb", "per month")
    gamma = stats.gamma(lead.observed + 0.5, scale=1 / lead.n)
    got = dists["world.segments.smb.inbound_opportunities"].ppf(q)
    assert got[1] == pytest.approx(gamma.median(), rel=1e-9)
    np.testing.assert_allclose(got, gamma.ppf(q), rtol=0.03)
    # A mapped rate (world value = estimate times a factor) keeps its factor.
    csql = row("csql_rate", "smb", "per account-month")
    factor = csql.world_value / csql.estimate
    got = dists["world.segments.smb.csql_rate"].ppf(np.array([0.5]))
    gamma = stats.gamma(csql.observed + 0.5, scale=1 / csql.n)
    assert got.item() == pytest.approx(factor * gamma.median(), rel=1e-9)
    # A probability stretched past 1 saturates there, its median the stretched Beta median.
    exp = row("expansion_win_rate", "enterprise", "")
    factor = exp.world_value / exp.estimate
    dist = dists["world.segments.enterprise.expansion_win_rate"]
    beta = stats.beta(exp.observed + 0.5, exp.n - exp.observed + 0.5)
    assert dist.ppf(np.array([0.5])).item() == pytest.approx(
        min(1.0, factor * beta.median()), rel=1e-9
    )
    assert dist.attainable()[1] <= 1.0
    # Counts and attrition stay fixed; the world holds the medians; it runs.
    assert not any("sales_cycle" in p or "workforce" in p for p in dists)
    assert scenario.world.segments[0].win_rate == pytest.approx(expected[1], rel=1e-9)
    result = complab.simulate(scenario, trials=8, seed=1)
    drawn = result.assumptions()
    assert drawn["world.segments.smb.win_rate"].nunique() == 8


def test_the_scenario_starts_from_the_data_book_account_by_account(companies):
    company = companies[2]
    scenario = complab.calibrate(company, AS_OF)
    book = company.book_on(dt.date(2024, 12, 31)).set_index("account_id")
    got = scenario.book.to_frame().set_index("account_id")
    assert sorted(got.index) == sorted(book.index)
    got = got.loc[book.index]
    assert (got["arr"].to_numpy() == book["arr"].to_numpy()).all()
    assert (got["renewal_index"].to_numpy() == book["renewal_index"].to_numpy()).all()
    assert (got["months_to_renewal"].to_numpy() == book["months_to_renewal"].to_numpy()).all()
    assert (got["segment"].to_numpy() == book["segment"].to_numpy()).all()
    # Owners: the seat is the rep's place among its segment's named reps of its role.
    roster = scenario.world.workforce.roster
    for aid in book.index[:200]:
        ae = book.at[aid, "ae_id"]
        seats = [r.name for r in roster if r.role == "ae" and r.segment == book.at[aid, "segment"]]
        if ae in seats:
            assert got.at[aid, "ae"] == seats.index(ae)
        csm = book.at[aid, "csm_id"]
        seats = [r.name for r in roster if r.role == "csm" and r.segment == book.at[aid, "segment"]]
        if csm in seats:
            assert got.at[aid, "csm"] == seats.index(csm)
    for seg in scenario.world.segments:
        assert seg.initial_accounts == int((book["segment"] == seg.name).sum())
    # The engine starts from exactly these accounts: each initial account's ARR at the start.
    result = complab.simulate(
        scenario.with_(world__months=12), trials=2, seed=4, keep_accounts=True
    )
    acc = result.accounts()
    first = acc[(acc["trial"] == 0) & (acc["opened"] == -1)]
    for seg in scenario.world.segment_names():
        mine = book[book["segment"] == seg]
        engine = first[first["segment"] == seg].sort_values("entity")
        order = [i for i, s in enumerate(scenario.book.segment) if s == seg]
        expect = np.array([scenario.book.arr[i] for i in order])
        assert np.array_equal(engine["booked"].to_numpy(), expect)
        assert math.isclose(engine["booked"].sum(), mine["arr"].sum(), rel_tol=1e-12)
    m = result.monthly()
    assert m[m["month"] == 0]["arr_start"].iloc[0] == pytest.approx(book["arr"].sum(), abs=0.01)


def test_a_scenario_with_a_book_round_trips_and_is_reproducible(companies, tmp_path):
    scenario = complab.calibrate(companies[3], AS_OF)
    again = complab.Scenario.from_yaml(scenario.to_yaml())
    assert again == scenario
    a = complab.simulate(scenario, trials=4, seed=1, threads=1)
    b = complab.simulate(again, trials=4, seed=1, threads=3, batch_size=1)
    assert np.array_equal(a.arrays["monthly"], b.arrays["monthly"])
    path = a.save(tmp_path / "r.parquet")
    assert complab.load(path).scenario == scenario


@pytest.fixture(scope="module")
def validations(companies):
    plain = {s: complab.validate(c, AS_OF, trials=200, seed=s) for s, c in companies.items()}
    low = {"world.segments.*.renewal_hazard": f"×{1 / 1.3:.6f}"}
    tampered = {
        s: complab.validate(c, AS_OF, trials=200, seed=s, edits=low) for s, c in companies.items()
    }
    return plain, tampered


def test_validation_coverage_is_within_its_binomial_tolerance(validations):
    plain, _ = validations
    inside = sum(int(v.table["in_band"].sum()) for v in plain.values())
    n = sum(len(v.table) for v in plain.values())
    lo, hi = complab.data.validate.binomial_tolerance(n)
    assert lo <= inside / n <= hi, (inside, n)
    for v in plain.values():
        assert v.ok
        assert "logo_churn" not in v.flagged
        assert set(v.table["segment"]) == {*SAMPLE_TRUTH["segments"], "all"}


def test_validation_flags_a_fit_whose_churn_is_30_percent_too_low(validations):
    plain, tampered = validations
    for seed, v in tampered.items():
        assert "logo_churn" in v.flagged, (seed, v.flagged)
        q = v.table.set_index(["kpi", "segment"])["quantile"]
        q0 = plain[seed].table.set_index(["kpi", "segment"])["quantile"]
        # Against lower simulated churn the actual churn sits higher in the distribution.
        assert q[("logo_churn", "all")] > q0[("logo_churn", "all")]
        assert q[("grr", "all")] < q0[("grr", "all")]


def test_validation_needs_a_year_after_the_date(companies):
    with pytest.raises(ValueError, match="less than a year of history"):
        complab.validate(companies[1], "2025-06-01")


def test_the_calibrated_model_gives_back_what_was_observed(companies):
    # The fitted rates, mapped to the model's parameters (CSQL and expansion rates divided
    # by mean health, win rates by mean skill...), produce next year what the data showed
    # the year before: each quantity within 20% (the year's own noise is a few percent for
    # counts in the hundreds; a wrong mapping is off by the health factor, 40%).
    from complab.data.calibrate import calibration_report, plot_calibration_report

    report = calibration_report(companies[1], AS_OF, trials=60, seed=2)
    assert len(report) == 10
    for row in report.itertuples(index=False):
        assert 0.8 < row.ratio < 1.25, row
    import matplotlib.pyplot as plt

    ax = plot_calibration_report(report)
    assert len(ax.get_yticks()) == len(report)
    plt.close(ax.figure)


def test_a_large_book_is_written_beside_the_scenario_file(companies, tmp_path, monkeypatch):
    import complab.scenario as sc_module

    scenario = complab.calibrate(companies[1], AS_OF)
    monkeypatch.setattr(sc_module, "BOOK_INLINE_MAX", 100)
    path = tmp_path / "company.yaml"
    text = scenario.to_yaml(path)
    assert "book: {file: company.book.csv}" in text
    assert (tmp_path / "company.book.csv").exists()
    assert complab.load_scenario(path) == scenario
    assert complab.Scenario.from_yaml(path) == scenario
    (tmp_path / "company.book.csv").unlink()
    with pytest.raises(ValueError, match="book.file: 'company.book.csv' does not exist"):
        complab.load_scenario(path)
