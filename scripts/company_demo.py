"""The demo's second half: a company's own data, end to end, on the sample company
(docs/data.md). Kept short: a few hundred trials."""

from __future__ import annotations

import tempfile
from pathlib import Path

import complab
from complab import Clawback, Measure, PayoutCurve, Plan


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="complab-company-")) / "data"
    complab.datasets.sample_company(folder, seed=1)
    company = complab.load_company(folder)
    print(f"\n== Your own company: {company}")
    print(company.describe()[["accounts_now", "arr_now", "aes_now", "csms_now"]].round(0))

    rates = complab.fit_rates(company, "2026-01-01")
    hz = rates[rates["rate"] == "renewal_hazard"][
        ["segment", "key", "n", "estimate", "lo95", "hi95"]
    ]
    print("\nRenewal churn by renewal number (fitted, 95% interval):")
    print(hz.round(3).to_string(index=False))

    line = PayoutCurve.linear(0.0, 2.0)
    current = {
        "ae": Plan(role="ae", ote=140_000, base_share=0.5, target_months=12,
                   measures=(Measure("new_arr", 1.0, 600_000, line),)),
        "csm": Plan(role="csm", ote=100_000, base_share=0.75, target_months=12,
                    measures=(Measure("grr", 1.0, 0.9, line),)),
    }  # fmt: skip
    proposed = dict(
        current,
        ae=Plan(role="ae", ote=140_000, base_share=0.5, target_months=12,
                measures=(Measure("new_arr", 1.0, 600_000,
                                  PayoutCurve.tiered([(0, 0), (1, 1), (1.5, 2)])),),
                clawback=Clawback(1.0, 12)),
        csm=Plan(role="csm", ote=100_000, base_share=0.75, target_months=12,
                 measures=(Measure("grr", 0.65, 0.9, line), Measure("nrr", 0.35, 1.0, line))),
    )  # fmt: skip
    bt = complab.backtest(company, proposed, "2025-01-01", "2026-01-01", current=current)
    print("\nBacktest on 2025's actual deals (earnings, $):")
    print(bt.totals[["plans", "role", "earnings"]].round(0).to_string(index=False))

    scenario = complab.calibrate(company, "2026-01-01", plans=current)
    result = complab.simulate(scenario, trials=200, seed=7)
    repaid = result.repay(proposed)
    for name, r in (("today's plans", result), ("proposal", repaid)):
        q = r.kpis()["comp_total"].quantile([0.1, 0.5, 0.9]) / 1e6
        print(
            f"2026 comp cost, {name}: P10 {q.iloc[0]:.2f}  P50 {q.iloc[1]:.2f}  P90 {q.iloc[2]:.2f} ($m)"
        )

    v = complab.validate(company, "2025-01-01", trials=200, seed=3)
    print(
        f"\nValidation on 2025: P10-P90 coverage {v.coverage:.0%} over {len(v.table)} KPIs "
        f"(tolerance {v.tolerance[0]:.0%}-{v.tolerance[1]:.0%}); ok: {v.ok}"
    )


if __name__ == "__main__":
    main()
