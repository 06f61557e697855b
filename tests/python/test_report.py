"""complab.report: one self-contained HTML file, checked as text and rendered in headless
Chromium (Debian's ``chromium`` package, installed by scripts/test.sh)."""

from __future__ import annotations

import dataclasses
import html
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import complab
from complab import presets
from complab.report import _count, _money, _pay_rows, _pct, _plans_table, _reproduce, render

CHART_BLUE = np.array([0x1F, 0x77, 0xB4]) / 255  # matplotlib's C0, used by every chart


@pytest.fixture(scope="module")
def result() -> complab.Result:
    scenario = presets.first_renewal_clawback().with_({"world.months": 24})
    return complab.simulate(scenario, trials=40, seed=3)


@pytest.fixture(scope="module")
def report_file(result, tmp_path_factory) -> Path:
    return complab.report(
        result, tmp_path_factory.mktemp("report") / "report.html", title="Plan review"
    )


# -- the file --------------------------------------------------------------------------------------
def test_report_is_self_contained(report_file):
    text = report_file.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert "<script" not in text and "<link" not in text and "<iframe" not in text
    links = re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)""", text)
    assert all(link.startswith(("#", "data:")) for link in links), links  # in-page references only
    assert text.count("url(") == text.count("url(#") and "@import" not in text
    assert set(re.findall(r"https?://[^\s\"'<>]*", text)) <= {  # XML namespaces, never fetched
        "http://www.w3.org/2000/svg",
        "http://www.w3.org/1999/xlink",
    }


def test_report_holds_scenario_tables_and_charts(result, report_file):
    text = report_file.read_text(encoding="utf-8")
    assert "<title>Plan review</title>" in text
    assert text.count('<svg role="img"') == 4  # ARR fan, NRR by segment, pay, attainment
    for heading in (
        "Revenue and retention",
        "KPIs by year",
        "Pay",
        "Scenario",
        "Segments",
        "Plans",
    ):
        assert f">{heading}</h" in text
    for segment in result.scenario.world.segment_names():
        assert f'<td class="text">{segment}</td>' in text
    for key in result.scenario.plans:
        assert f"<b>{key}</b>" in text
    assert "clawback 100.0% within 12 months" in text
    assert f"seed {result.seed}" in text and f"{result.trials:,} Monte Carlo trials" in text
    # the headline card and the KPI table show the simulated numbers
    s = result.summary()
    arr = s[(s["kpi"] == "arr_end") & (s["year"] == 2)].iloc[0]
    assert f'<div class="value">{_money(arr["p50"])}</div>' in text
    nrr = s[(s["kpi"] == "nrr") & (s["year"] == 1)].iloc[0]
    assert f"{_pct(nrr['mean'])}<small>{_pct(nrr['p10'])} – {_pct(nrr['p90'])}</small>" in text
    # the scenario's YAML is in the page, so the report can be run again
    assert "period_months: 12" in text and "complab run scenario.yaml --trials 40 --seed 3" in text


def test_report_is_reproducible(result, tmp_path):
    a = complab.report(result, tmp_path / "a.html").read_text(encoding="utf-8")
    b = complab.report(result, tmp_path / "b.html").read_text(encoding="utf-8")
    strip = re.compile(r"generated [0-9: -]+")
    assert strip.sub("", a) == strip.sub("", b)


def test_report_of_a_loaded_result(result, tmp_path):
    loaded = complab.load(result.save(tmp_path / "r.parquet"))
    text = complab.report(loaded, tmp_path / "r.html").read_text(encoding="utf-8")
    assert text.count('<svg role="img"') == 4


def test_report_rejects_what_is_not_a_result(tmp_path):
    with pytest.raises(
        ValueError, match="result: expected a complab.Result, Comparison or sweep table, got str"
    ):
        complab.report("result.parquet", tmp_path / "r.html")  # type: ignore[arg-type]


# -- in a browser ----------------------------------------------------------------------------------
def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail(
        "headless Chromium is needed to test the report: apt-get install chromium "
        "(scripts/test.sh installs it)"
    )


def browse(page: Path, profile: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    """Open `page` in headless Chromium with console messages logged to stderr."""
    command = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-extensions",
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        *flags,
        page.resolve().as_uri(),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def console_messages(stderr: str) -> list[str]:
    """The page's console messages among Chromium's log lines (``INFO:CONSOLE...``)."""
    return [line for line in stderr.splitlines() if "CONSOLE" in line]


def test_console_check_catches_errors(tmp_path):
    """The checks below can fail: a page with a script error and a missing image is caught."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!DOCTYPE html><html><body><img src="missing.png">'
        "<script>console.error('broken chart'); undefined_function();</script></body></html>",
        encoding="utf-8",
    )
    done = browse(bad, tmp_path / "profile", "--dump-dom")
    messages = console_messages(done.stderr)
    assert any("broken chart" in m for m in messages), done.stderr
    assert any("undefined_function" in m for m in messages), done.stderr


def test_report_renders_in_chromium(report_file, tmp_path):
    done = browse(report_file, tmp_path / "profile", "--dump-dom")
    assert done.returncode == 0, done.stderr
    assert console_messages(done.stderr) == []
    dom = done.stdout
    assert "<main>" in dom and "</html>" in dom
    assert dom.count("<svg") == 4  # every chart parsed into the document
    assert dom.count("<table>") >= 4
    # charts have drawn content: paths (bands, boxes, bars) and axis text
    for svg in re.findall(r"<svg.*?</svg>", dom, flags=re.S):
        assert svg.count("<path") > 10 and "<text" in svg


def test_report_screenshot(report_file, tmp_path):
    shot = tmp_path / "report.png"
    done = browse(
        report_file,
        tmp_path / "profile",
        f"--screenshot={shot}",
        "--window-size=1280,2400",
        "--hide-scrollbars",
    )
    assert done.returncode == 0, done.stderr
    assert console_messages(done.stderr) == []
    assert shot.exists() and shot.stat().st_size > 50_000
    import matplotlib.image

    pixels = matplotlib.image.imread(shot)[..., :3]
    assert pixels.shape[:2] == (2400, 1280)
    assert pixels.std() > 0.05  # not a blank page
    charts = np.abs(pixels - CHART_BLUE).max(axis=-1) < 0.02
    assert charts.sum() > 2000, "no chart colour on screen: the charts did not paint"


def test_number_formats():
    assert _money(1_234_567) == "$1.23M"
    assert _money(2_500_000_000) == "$2.50B"
    assert _money(-45_600) == "-$46K"
    assert _money(999) == "$999"
    assert _money(float("nan")) == "–"
    assert _pct(0.1234) == "12.3%"
    assert _pct(float("inf")) == "–"


def test_pay_table_counts_whole_years_only():
    # 18 months: year 2 has half a year's pay, which is no rep-year.
    scenario = presets.default().with_({"world.months": 18, "world.period_months": 6})
    result = complab.simulate(scenario, trials=5, seed=2)
    pay = result.arrays["pay"][..., list(complab._core.PAY_FIELDS).index("earnings")]
    sdr = int(np.flatnonzero(result.roster["role"].to_numpy() == "sdr")[0])
    sdrs = result.roster["role"].to_numpy() == "sdr"
    whole_year = pay[:, sdrs, :2].sum(axis=2).reshape(-1)  # periods 0 and 1 are year 1
    earned = result.annual_earnings()
    assert set(earned["year"]) == {1}
    row = next(r for r in _pay_rows(result) if r[0] == "SDR")
    assert row[4] == _money(whole_year.mean())
    assert row[6] == _money(np.percentile(whole_year, 50))
    assert earned.query(f"rep == {sdr}")["earnings"].to_numpy() == pytest.approx(
        pay[:, sdr, :2].sum(axis=1)
    )


def test_the_plans_table_states_true_ups_draws_and_ratchets():
    plan = presets.default().plans["ae:smb"]
    plan = dataclasses.replace(
        plan,
        true_up=True,
        draw=complab.Draw(4_000, 3, recoverable=True),
        ratchet=complab.Ratchet(0.5, 0.25),
    )
    scenario = presets.default().with_({"world.months": 12, "plans.ae:smb": plan})
    text = html.unescape(_plans_table(complab.simulate(scenario, trials=2, seed=1)))
    assert "Annual true-up" in text
    assert "Draw (recoverable): $4K a month for a rep's first 3 months" in text
    assert "Quota ratchet: up 50.0% of over-attainment, down 25.0% of shortfall" in text


def test_money_rounds_into_the_next_unit_and_has_no_negative_zero():
    assert _money(999_600) == "$1.00M"
    assert _money(999_499) == "$999K"
    assert _money(-0.4) == "$0"
    assert (_count(3), _count(0.4), _count(2.25), _count(1234.6)) == ("3", "0.4", "2.25", "1,235")


def test_a_run_from_fresh_entropy_can_be_run_again_from_its_page(tmp_path, monkeypatch):
    scenario = presets.default().with_({"world.months": 12})
    first = complab.simulate(scenario, trials=3, seed=None)
    page = render(first)
    entropy = first.seed["entropy"]
    assert f"numpy SeedSequence, entropy {entropy}" in page
    command = _reproduce(first)
    assert html.escape(command) in page
    scenario.to_yaml(tmp_path / "scenario.yaml")
    monkeypatch.chdir(tmp_path)
    again = eval(command, {"complab": complab, "numpy": np})  # the page's own instruction
    np.testing.assert_array_equal(again.arrays["monthly"], first.arrays["monthly"])


def test_pages_say_why_parts_are_empty():
    short = complab.simulate(
        presets.default().with_({"world.months": 6, "world.period_months": 3}), trials=1, seed=1
    )
    page = render(short)
    assert "1 Monte Carlo trial of 6 months" in page
    assert "holds no whole year" in page
    names = presets.default().world.segment_names()
    nobody = {"world.sdr_headcount": 0} | {
        f"world.segments.{n}.{role}": 0 for n in names for role in ("ae_headcount", "csm_headcount")
    }
    page = render(complab.simulate(presets.default().with_(nobody), trials=2, seed=1))
    assert "This world has no reps" in page and "no SDRs: no new business" in page
