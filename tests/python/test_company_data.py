"""A company's own data (docs/data.md): loading, the error corpus (every rule gives one
clear error naming file, row and column), and the backtest against payouts worked by hand."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt

import pytest
from company_fixture import TABLES, write_company
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import complab
from complab import Clawback, Draw, Gate, Measure, PayoutCurve, Plan
from complab.data import CompanyDataError


def test_the_hand_made_company_loads_and_describes(tmp_path):
    company = complab.load_company(write_company(tmp_path))
    assert company.segments == ("smb",)
    assert len(company.accounts) == 4 and len(company.reps) == 4
    d = company.describe()
    assert d.loc["all", "accounts_now"] == 3  # a1 churned
    assert d.loc["all", "arr_now"] == 22000 + 30000 + 15000
    assert d.loc["all", "opportunities_open"] == 1
    assert d.loc["all", "sdrs_now"] == 0
    book = company.book_on("2024-06-30")
    assert sorted(book["account_id"]) == ["a2", "a3"]
    a2 = book.set_index("account_id").loc["a2"]
    # Started 2020-05-01: four renewals passed by 2024-06-30, the next on 2025-05-01.
    assert (a2["renewal_index"], a2["months_to_renewal"], a2["arr"]) == (4, 11, 20000)


def test_extra_columns_are_ignored_and_times_after_dates_too(tmp_path):
    tables = copy.deepcopy(TABLES)
    tables["accounts"] = [
        line + (",notes" if i == 0 else ",x") for i, line in enumerate(tables["accounts"])
    ]
    tables["arr_events"][1] = tables["arr_events"][1].replace("2023-03-01", "2023-03-01T09:30:00")
    company = complab.load_company(write_company(tmp_path, tables))
    assert "notes" not in company.accounts.columns
    assert company.arr_events["date"].iloc[0] == dt.date(2023, 3, 1)


def test_parquet_files_load_the_same(tmp_path):
    import pandas as pd

    csv = write_company(tmp_path / "csv")
    for name in TABLES:
        pd.read_csv(csv / f"{name}.csv", dtype=str, keep_default_na=False).to_parquet(
            tmp_path / f"{name}.parquet", index=False
        )
    a = complab.load_company(csv)
    b = complab.load_company(tmp_path)
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))


def _edit(table: str, row: int, column: str | None, value: str | None):
    """A change of one cell (row 1 = the header), a dropped column (value None, row 0) or
    an appended line (column None)."""

    def apply(tables: dict[str, list[str]]) -> None:
        lines = tables[table]
        header = lines[0].split(",")
        if column is None:
            lines.append(value or "")
            return
        k = header.index(column)
        if value is None:
            tables[table] = [
                ",".join(c for j, c in enumerate(line.split(",")) if j != k) for line in lines
            ]
            return
        cells = lines[row - 1].split(",")
        cells[k] = value
        lines[row - 1] = ",".join(cells)

    return apply


def _drop_file(table: str):
    def apply(tables: dict[str, list[str]]) -> None:
        del tables[table]

    return apply


# (what is wrong, change, file, row, column, words the message must contain)
CORPUS = [
    ("missing file", _drop_file("reps"), "reps.csv", None, None, "no reps.csv"),
    (
        "missing column",
        _edit("accounts", 0, "arr", None),
        "accounts.csv",
        None,
        "arr",
        "is missing",
    ),
    (
        "missing required column in events",
        _edit("arr_events", 0, "type", None),
        "arr_events.csv",
        None,
        "type",
        "is missing",
    ),
    (
        "empty id",
        _edit("accounts", 3, "account_id", ""),
        "accounts.csv",
        3,
        "account_id",
        "is empty",
    ),
    (
        "empty segment",
        _edit("accounts", 2, "segment", ""),
        "accounts.csv",
        2,
        "segment",
        "is empty",
    ),
    ("negative ARR", _edit("accounts", 3, "arr", "-1200"), "accounts.csv", 3, "arr", "negative"),
    (
        "ARR not a number",
        _edit("accounts", 4, "arr", "lots"),
        "accounts.csv",
        4,
        "arr",
        "not a number",
    ),
    ("ARR infinite", _edit("accounts", 4, "arr", "inf"), "accounts.csv", 4, "arr", "finite"),
    (
        "unparsable start",
        _edit("accounts", 2, "start_date", "2023-02-30"),
        "accounts.csv",
        2,
        "start_date",
        "not a date",
    ),
    (
        "start in another format",
        _edit("accounts", 5, "start_date", "10/09/2024"),
        "accounts.csv",
        5,
        "start_date",
        "not a date",
    ),
    (
        "health above 1",
        _edit("accounts", 2, "health", "1.4"),
        "accounts.csv",
        2,
        "health",
        "above 1",
    ),
    (
        "unknown segment on a rep",
        _edit("reps", 2, "segment", "mid"),
        "reps.csv",
        2,
        "segment",
        "not a known segment",
    ),
    ("unknown segment given", None, "accounts.csv", 2, "segment", "not a known segment"),
    (
        "reserved segment name",
        _edit("accounts", 2, "segment", "all"),
        "accounts.csv",
        2,
        "segment",
        "cannot name a segment",
    ),
    (
        "CSM that does not exist",
        _edit("accounts", 3, "csm_id", "csm9"),
        "accounts.csv",
        3,
        "csm_id",
        "does not exist",
    ),
    (
        "AE that does not exist",
        _edit("accounts", 5, "ae_id", "ae7"),
        "accounts.csv",
        5,
        "ae_id",
        "does not exist",
    ),
    (
        "owner of the wrong role",
        _edit("accounts", 2, "csm_id", "ae1"),
        "accounts.csv",
        2,
        "csm_id",
        "not an CSM",
    ),
    (
        "duplicated account",
        _edit("accounts", 3, "account_id", "a1"),
        "accounts.csv",
        3,
        "account_id",
        "duplicated (also row 2)",
    ),
    ("duplicated rep", _edit("reps", 3, "rep_id", "ae1"), "reps.csv", 3, "rep_id", "duplicated"),
    (
        "duplicated opportunity",
        _edit("opportunities", 4, "opportunity_id", "o1"),
        "opportunities.csv",
        4,
        "opportunity_id",
        "duplicated",
    ),
    (
        "unknown role",
        _edit("reps", 2, "role", "manager"),
        "reps.csv",
        2,
        "role",
        "not one of ae, sdr, csm",
    ),
    (
        "exit before hire",
        _edit("reps", 5, "exit_date", "2022-06-30"),
        "reps.csv",
        5,
        "exit_date",
        "before hire_date",
    ),
    (
        "base share above 1",
        _edit("reps", 2, "base_share", "1.5"),
        "reps.csv",
        2,
        "base_share",
        "above 1",
    ),
    ("negative OTE", _edit("reps", 3, "ote", "-5"), "reps.csv", 3, "ote", "negative"),
    ("negative quota", _edit("reps", 2, "quota", "-1"), "reps.csv", 2, "quota", "negative"),
    (
        "AE without segment",
        _edit("reps", 2, "segment", ""),
        "reps.csv",
        2,
        "segment",
        "works one segment",
    ),
    (
        "unknown event type",
        _edit("arr_events", 3, "type", "upgrade"),
        "arr_events.csv",
        3,
        "type",
        "not one of",
    ),
    (
        "event on an unknown account",
        _edit("arr_events", 4, "account_id", "zz"),
        "arr_events.csv",
        4,
        "account_id",
        "not in accounts",
    ),
    (
        "event before the account started",
        _edit("arr_events", 6, "date", "2024-01-01"),
        "arr_events.csv",
        6,
        "date",
        "before the account's start_date",
    ),
    (
        "negative ARR in an event",
        _edit("arr_events", 5, "arr_after", "-3"),
        "arr_events.csv",
        5,
        "arr_after",
        "negative",
    ),
    (
        "churn that keeps ARR",
        _edit("arr_events", 3, "arr_after", "500"),
        "arr_events.csv",
        3,
        "arr_after",
        "a churn goes",
    ),
    (
        "expansion that lowers ARR",
        _edit("arr_events", 5, "arr_after", "19000"),
        "arr_events.csv",
        5,
        "arr_after",
        "an expansion raises",
    ),
    (
        "new account from a positive ARR",
        _edit("arr_events", 2, "arr_before", "10"),
        "arr_events.csv",
        2,
        "arr_after",
        "a new account",
    ),
    (
        "unparsable event date",
        _edit("arr_events", 2, "date", "yesterday"),
        "arr_events.csv",
        2,
        "date",
        "not a date",
    ),
    (
        "unknown opportunity type",
        _edit("opportunities", 2, "type", "renewal"),
        "opportunities.csv",
        2,
        "type",
        "not one of new, expansion",
    ),
    (
        "unknown source",
        _edit("opportunities", 3, "source", "partner"),
        "opportunities.csv",
        3,
        "source",
        "not one of",
    ),
    (
        "owner that does not exist",
        _edit("opportunities", 4, "owner_id", "nobody"),
        "opportunities.csv",
        4,
        "owner_id",
        "does not exist",
    ),
    (
        "sourcer that does not exist",
        _edit("opportunities", 5, "sourced_by_id", "sdr9"),
        "opportunities.csv",
        5,
        "sourced_by_id",
        "does not exist",
    ),
    (
        "opportunity on an unknown account",
        _edit("opportunities", 6, "account_id", "a9"),
        "opportunities.csv",
        6,
        "account_id",
        "not in accounts",
    ),
    (
        "expansion without an account",
        _edit("opportunities", 6, "account_id", ""),
        "opportunities.csv",
        6,
        "account_id",
        "names its account",
    ),
    (
        "close before created",
        _edit("opportunities", 3, "close_date", "2023-01-01"),
        "opportunities.csv",
        3,
        "close_date",
        "before created_date",
    ),
    (
        "won not true or false",
        _edit("opportunities", 2, "won", "maybe"),
        "opportunities.csv",
        2,
        "won",
        "not true or false",
    ),
    (
        "closed without an outcome",
        _edit("opportunities", 4, "won", ""),
        "opportunities.csv",
        4,
        "won",
        "closed opportunity",
    ),
    (
        "open but won",
        _edit("opportunities", 7, "won", "true"),
        "opportunities.csv",
        7,
        "won",
        "open opportunity",
    ),
    (
        "negative amount",
        _edit("opportunities", 7, "amount", "-40000"),
        "opportunities.csv",
        7,
        "amount",
        "negative",
    ),
    (
        "unparsable created date",
        _edit("opportunities", 7, "created_date", "2024-13-01"),
        "opportunities.csv",
        7,
        "created_date",
        "not a date",
    ),
    (
        "a row with too many cells",
        _edit("reps", 0, None, "x1,ae,smb,2024-01-01,,1,0.5,,extra,more"),
        "reps.csv",
        None,
        None,
        "not a readable CSV",
    ),
    ("header given twice", None, "reps.csv", None, "ote", "given twice"),
]


@pytest.mark.parametrize("case", CORPUS, ids=[c[0] for c in CORPUS])
def test_every_malformed_file_gives_one_clear_error(tmp_path, case):
    name, change, file, row, column, words = case
    tables = copy.deepcopy(TABLES)
    segments = None
    if change is not None:
        change(tables)
    elif name == "unknown segment given":
        segments = ["mid_market"]
    elif name == "header given twice":
        tables["reps"][0] = tables["reps"][0].replace("quota", "ote")
    folder = write_company(tmp_path, tables)
    with pytest.raises(CompanyDataError) as info:
        complab.load_company(folder, segments=segments)
    err = info.value
    message = str(err)
    assert "\n" not in message and "Traceback" not in message
    assert message.startswith(file), message
    assert (err.file, err.row, err.column) == (file, row, column), message
    if row is not None:
        assert f"row {row}" in message
    if column is not None:
        assert f"column {column}" in message
    assert words in message, message


def test_the_corpus_covers_at_least_thirty_rules():
    assert len(CORPUS) >= 30


def test_a_folder_that_is_not_there(tmp_path):
    with pytest.raises(CompanyDataError, match="is not a folder"):
        complab.load_company(tmp_path / "nowhere")


# -- backtest: every payout worked by hand -----------------------------------------------------
def _plans() -> dict[str, Plan]:
    line = PayoutCurve.linear(0.0, 2.0)
    ae = Plan(
        role="ae",
        ote=100_000,
        base_share=0.5,
        measures=(
            Measure("new_arr", 0.8, 200_000, line),
            Measure("expansion_arr", 0.2, 10_000, line, gate=Gate("new_arr", 0.1)),
        ),
        clawback=Clawback(share=1.0, window_months=12),
    )
    csm = Plan(
        role="csm",
        ote=80_000,
        base_share=0.8,
        measures=(Measure("grr", 0.5, 0.9, line), Measure("csql_count", 0.5, 4, line)),
    )
    sdr = Plan(
        role="sdr", ote=60_000, base_share=0.6, measures=(Measure("opportunities", 1.0, 10, line),)
    )
    return {"ae": ae, "csm": csm, "sdr": sdr}


def test_backtest_equals_payouts_worked_by_hand(tmp_path):
    company = complab.load_company(write_company(tmp_path))
    bt = complab.backtest(company, _plans(), "2024-01-01", "2025-01-01")
    got = bt.reps.set_index("rep_id")
    # ae1, 2023 (the year before, for the clawback): new ARR 10,000 (o1) against 200,000:
    # 0.8 x 50,000 x 0.05 = 2,000; expansion gated shut (5% < 10%). Commission per ARR 0.2.
    # 2024: new ARR 30,000 (o2): 0.8 x 50,000 x 0.15 = 6,000; expansion 2,000 (o5), gate
    # open (15%): 0.2 x 50,000 x 0.2 = 2,000. a1, sold 2023, churned at its first renewal:
    # 1.0 x 0.2 x 10,000 = 2,000 clawed back.
    ae1 = got.loc["ae1"]
    assert ae1["variable"] == pytest.approx(8_000.0, abs=0.005)
    assert ae1["clawback_applied"] == pytest.approx(2_000.0, abs=0.005)
    assert ae1["earnings"] == pytest.approx(50_000 + 8_000 - 2_000, abs=0.005)
    # ae2, hired 2024-07-01 at its own OTE 120,000 (no own quota): base prorated 184/366
    # days; new ARR 15,000 (o4): 0.8 x 60,000 x 0.075 = 3,600; expansion gate shut.
    ae2 = got.loc["ae2"]
    assert ae2["base"] == pytest.approx(60_000 * 184 / 366, abs=0.005)
    assert ae2["earnings"] == pytest.approx(60_000 * 184 / 366 + 3_600, abs=0.005)
    # csm1: book at the year's start a1 (10,000) and a2 (20,000); at its end 0 and 22,000:
    # GRR = (0 + 20,000) / 30,000; 0.5 x 16,000 x GRR/0.9; one CSQL (o5): 0.5 x 16,000 x 1/4.
    csm1 = got.loc["csm1"]
    grr = 20_000 / 30_000
    assert csm1["variable"] == pytest.approx(8_000 * grr / 0.9 + 2_000, abs=0.005)
    assert csm1["earnings"] == pytest.approx(64_000 + 8_000 * grr / 0.9 + 2_000, abs=0.005)
    # sdr1 left 2024-06-30: base 36,000 x 182/366; one opportunity (o4) of 10: 24,000 x 0.1.
    sdr1 = got.loc["sdr1"]
    assert sdr1["earnings"] == pytest.approx(36_000 * 182 / 366 + 2_400, abs=0.005)
    totals = bt.totals.set_index("role")
    assert totals.loc["ae", "earnings"] == pytest.approx(
        56_000 + 60_000 * 184 / 366 + 3_600, abs=0.01
    )


def test_backtest_pays_the_current_plans_beside(tmp_path):
    company = complab.load_company(write_company(tmp_path))
    plans = _plans()
    richer = dict(
        plans, csm=Plan(role="csm", ote=90_000, base_share=0.8, measures=plans["csm"].measures)
    )
    bt = complab.backtest(
        company, richer, "2024-01-01", "2025-01-01", current=plans, own_terms=False
    )
    table = bt.per_rep().set_index("rep_id")
    grr = 20_000 / 30_000
    assert table.loc["csm1", "current"] == pytest.approx(
        64_000 + 8_000 * grr / 0.9 + 2_000, abs=0.005
    )
    assert table.loc["csm1", "plans"] == pytest.approx(
        72_000 + 9_000 * grr / 0.9 + 2_250, abs=0.005
    )
    # own_terms=False: ae2 is paid on the plan's OTE, not its own.
    assert table.loc["ae2", "plans"] == pytest.approx(
        50_000 * 184 / 366 + 0.8 * 50_000 * 0.075, abs=0.005
    )


def _threshold_plans(draw: Draw | None = None) -> dict[str, Plan]:
    """An AE plan paying nothing below 10% of quota, where proration decides ae2's pay."""
    curve = PayoutCurve.linear(0.1, 2.0)
    ae = Plan(
        role="ae",
        ote=100_000,
        base_share=0.5,
        measures=(Measure("new_arr", 1.0, 200_000, curve),),
        draw=draw,
    )
    return {"ae": ae}


def test_backtest_prorates_a_part_period_reps_quota_and_ote(tmp_path):
    company = complab.load_company(write_company(tmp_path))
    plans = _threshold_plans()
    got = complab.backtest(company, plans, "2024-01-01", "2025-01-01").reps.set_index("rep_id")
    # ae2, hired 2024-07-01 (184 of 366 days) at its own OTE 120,000: quota 200,000 x
    # 184/366 = 100,546; new ARR 15,000 is 14.9% of it, above the 10% threshold; V = 60,000
    # x 184/366, so variable = V x 15,000 / 100,546 = 60,000 x 0.075 = 4,500.
    ae2 = got.loc["ae2"]
    assert ae2["employed"] == pytest.approx(184 / 366)
    assert ae2["base"] == pytest.approx(60_000 * 184 / 366, abs=0.005)
    assert ae2["variable"] == pytest.approx(4_500.0, abs=0.005)
    assert ae2["earnings"] == pytest.approx(60_000 * 184 / 366 + 4_500, abs=0.005)
    # ae1, employed all year: 30,000 of 200,000 = 15%: 50,000 x 0.15.
    assert got.loc["ae1", "variable"] == pytest.approx(7_500.0, abs=0.005)
    # Without proration ae2's 15,000 is 7.5% of the full quota: below the threshold.
    full = complab.backtest(company, plans, "2024-01-01", "2025-01-01", prorate=False)
    ae2_full = full.reps.set_index("rep_id").loc["ae2"]
    assert ae2_full["variable"] == 0.0
    assert ae2_full["base"] == pytest.approx(60_000 * 184 / 366, abs=0.005)
    assert ae2_full["earnings"] == pytest.approx(60_000 * 184 / 366, abs=0.005)


def test_backtest_pays_each_rep_its_own_pay_mix(tmp_path):
    company = complab.load_company(write_company(tmp_path))
    plans = {"ae": dataclasses.replace(_threshold_plans()["ae"], base_share=0.6)}
    own = complab.backtest(company, plans, "2024-01-01", "2025-01-01").reps.set_index("rep_id")
    # ae1's own mix is 50/50 on its own 100,000: base 50,000; variable 50,000 x 0.15.
    assert own.loc["ae1", "base"] == pytest.approx(50_000.0, abs=0.005)
    assert own.loc["ae1", "variable"] == pytest.approx(7_500.0, abs=0.005)
    plain = complab.backtest(company, plans, "2024-01-01", "2025-01-01", own_terms=False)
    # The plan's terms: 60/40 of 100,000, so base 60,000 and variable 40,000 x 0.15.
    ae1 = plain.reps.set_index("rep_id").loc["ae1"]
    assert ae1["base"] == pytest.approx(60_000.0, abs=0.005)
    assert ae1["variable"] == pytest.approx(6_000.0, abs=0.005)


def test_backtest_tops_up_a_new_reps_first_months_from_its_hire_date(tmp_path):
    company = complab.load_company(write_company(tmp_path))
    plans = _threshold_plans(Draw(amount=2_000.0, months=3, recoverable=False))
    got = complab.backtest(company, plans, "2024-01-01", "2025-01-01").reps.set_index("rep_id")
    # ae2's tenure is 0, 1 and 2 in July, August and September 2024: a draw of 3 x 2,000
    # = 6,000 against its 4,500 of variable pay tops it up by 1,500.
    ae2 = got.loc["ae2"]
    assert ae2["draw_top_up"] == pytest.approx(1_500.0, abs=0.005)
    assert ae2["earnings"] == pytest.approx(60_000 * 184 / 366 + 6_000, abs=0.005)
    # ae1 was hired in 2022: past its draw months, nothing topped up.
    assert got.loc["ae1", "draw_top_up"] == 0.0


def test_backtest_refuses_a_window_that_is_not_whole_periods(tmp_path):
    company = complab.load_company(write_company(tmp_path))
    with pytest.raises(ValueError, match="whole number of 12-month periods"):
        complab.backtest(company, _plans(), "2024-01-01", "2024-07-01")
    assert dt.date(2024, 1, 1) < company.last_date()


# -- never a traceback: any cell replaced by anything --------------------------------------------

_CELLS = [
    (table, row, column)
    for table, lines in TABLES.items()
    for row in range(2, len(lines) + 1)
    for column in lines[0].split(",")
]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cell=st.sampled_from(_CELLS),
    value=st.one_of(
        st.text(
            alphabet=st.characters(blacklist_characters=',\n\r"', blacklist_categories=("Cs",)),
            max_size=12,
        ),
        st.sampled_from(
            ["-1", "1e400", "nan", "2024-02-30", "TRUE", "0", "a1", "ae1", "csm1", "  ", "smb"]
        ),
    ),
)
def test_any_bad_cell_gives_a_company_error_or_loads(tmp_path_factory, cell, value):
    table, row, column = cell
    tables = copy.deepcopy(TABLES)
    _edit(table, row, column, value)(tables)
    folder = write_company(tmp_path_factory.mktemp("h"), tables)
    try:
        complab.load_company(folder)
    except CompanyDataError as err:
        assert str(err).startswith(f"{table}.csv") or str(err).split(",")[0].endswith(".csv")
        assert "\n" not in str(err)
