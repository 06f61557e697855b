"""Draw docs/images/overview.png (the README's picture) with complab's own plots.

Run from anywhere: ``python docs/images/overview.py``.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402

import complab  # noqa: E402
from complab import plots, presets  # noqa: E402


def main() -> Path:
    result = complab.simulate(presets.default(), trials=300, seed=2026)
    fig, (arr, pay) = plt.subplots(1, 2, figsize=(10, 3.6), layout="constrained")
    plots.fan_chart(result, "arr_end", ax=arr, label="median")
    arr.yaxis.set_major_formatter(lambda v, _: f"${v / 1e6:.0f}M")
    arr.set_ylabel("ARR")
    arr.set_title("ARR over 36 months: 300 possible futures")
    plots.pay_distribution(result, ax=pay)
    pay.yaxis.set_major_formatter(lambda v, _: f"${v / 1e3:.0f}K")
    pay.set_title("Annual earnings per rep, by role")
    path = Path(__file__).with_name("overview.png")
    fig.savefig(path, dpi=90, metadata={"Software": None})
    return path


if __name__ == "__main__":
    print(main())
