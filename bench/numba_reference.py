"""The fixed-mode reference with its account pass in Numba: what a strong user writes next.

bench/numpy_reference.py spends most of its time in the dense per-account-month steps
(docs/model.md §5 steps 1-4: health, usage-priced ARR, the CSQL yes/no), each a few full
passes over ``[batch, accounts]`` arrays plus two float64 normals from NumPy (8.6 ns each on
the bench machines). Here those steps are one compiled loop over the accounts of a batch:
one pass, churned slots skipped, draws inline from the same ``Generator(SFC64)`` (Numba
compiles ``Generator.standard_normal`` and ``random`` into the loop), and the loop also
lists the rare events of the month (hand-offs closing, CSQLs raised, renewals due) for the
NumPy code that handles them. Everything else — the warm start, new business, rare events,
cohorts, pay — is the NumPy reference's own code, so the two compute the same model and
only the draws differ.

Numba is an optional dependency of the bench (``pip install -e '.[bench]'``). Without it
the same loop runs as plain Python: correct (the test suite checks it against the engine on
a short run) but about a hundred times slower, so the bench reports no Numba figure then.
``NUMBA_DISABLE_JIT=1`` forces that path where Numba is installed.

Usage::

    from numba_reference import simulate_numba
    ref = simulate_numba(complab.presets.default(), trials=200, seed=1)
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
from numpy_reference import ReferenceResult, _Batch, run_batches

import complab

try:
    import numba
except ImportError:  # the bench's optional dependency: the loop runs as plain Python
    numba = None


def compiled() -> bool:
    """Whether the account pass runs compiled (Numba installed, its JIT not disabled)."""
    return numba is not None and os.environ.get("NUMBA_DISABLE_JIT", "0") in ("", "0")


def _jit(fn: Any) -> Any:
    return fn if numba is None else numba.njit(cache=False, nogil=True)(fn)


@_jit
def _account_pass(
    rng,
    t,
    hi,
    cap,
    shift,
    e_expand,
    csm_flat,
    active,
    health,
    base,
    gap,
    kappa,
    noise_h,
    arr_usage,
    drift,
    noise_u,
    rho,
    exp_close,
    renewal_month,
    gap_effect,
    gamma,
    usage_up,
    usage_down,
    closing,
    raising,
    renewing,
):
    """docs/model.md §5 steps 1, 2 and the CSQL yes/no of step 4 for the accounts of a
    batch ([B, cap] arrays, slots below `hi`), in place; lists the flat slots (trial * cap +
    slot) whose hand-off closes (`closing`), whose CSM raises a CSQL (`raising`) and whose
    renewal is due (`renewing`) in month t, and returns how many of each."""
    n_close = n_raise = n_renew = 0
    for b in range(active.shape[0]):
        up = 0.0
        down = 0.0
        for j in range(hi):
            if not active[b, j]:
                continue
            c = csm_flat[b, j]
            # 1. Health toward its target, with noise.
            target = shift[c] + base[b, j] - gap_effect * gap[b, j]
            target = min(max(target, 0.0), 1.0)
            h = health[b, j] + kappa[b, j] * (target - health[b, j])
            h += noise_h[b, j] * rng.standard_normal()
            h = min(max(h, 0.0), 1.0)
            health[b, j] = h
            # 2. Usage-priced ARR follows health, whole cents rounded half up.
            before = arr_usage[b, j]
            if before > 0.0:
                factor = 1.0 + drift[b, j] * (h - 0.5) + noise_u[b, j] * rng.standard_normal()
                after = np.floor(before * max(factor, 0.0) + 0.5)
                if after > before:
                    up += after - before
                else:
                    down += before - after
                arr_usage[b, j] = after
            flat = b * cap + j
            # 3. A hand-off closing this month frees the account for a CSQL.
            pending = exp_close[b, j]
            if pending == t:
                closing[n_close] = flat
                n_close += 1
            # 4. The CSQL yes/no, when no hand-off stays pending.
            if pending < 0 or pending == t:
                p = e_expand[c] * rho[b, j]
                if p > 0.0:
                    p *= h if gamma == 1.0 else h**gamma
                    if rng.random() < p:
                        raising[n_raise] = flat
                        n_raise += 1
            # 5. Renewal due.
            if renewal_month[b, j] == t:
                renewing[n_renew] = flat
                n_renew += 1
        usage_up[b] = up
        usage_down[b] = down
    return n_close, n_raise, n_renew


class _NumbaBatch(_Batch):
    """The NumPy reference's batch with steps 1-5's dense part in one compiled loop."""

    def account_pass(self, t: int, p: int, hi: int, v: dict[str, np.ndarray]) -> None:
        a, w, ser = self.a, self.w, self.series
        shift, e_expand = self.csm_effort()
        lists = np.empty((3, self.B * hi), dtype=np.int64)
        up, down = np.zeros(self.B), np.zeros(self.B)
        n_close, n_raise, n_renew = _account_pass(
            self.rng,
            t,
            hi,
            self.cap,
            shift.ravel(),
            e_expand.ravel(),
            a["csm_flat"],
            a["active"],
            a["health"],
            a["base"],
            a["gap"],
            a["kappa"],
            a["noise_h"],
            a["arr_usage"],
            a["drift"],
            a["noise_u"],
            a["rho"],
            a["exp_close"],
            a["renewal_month"],
            w.health_gap_effect,
            w.csql_health_exponent,
            up,
            down,
            lists[0],
            lists[1],
            lists[2],
        )
        ser["expansion_usage"][:, t] += up.astype(np.int64)
        ser["contraction"][:, t] += down.astype(np.int64)
        if n_close:
            self.close_handoffs(t, p, lists[0, :n_close].copy())
        if n_raise:
            self.raise_csqls(t, lists[1, :n_raise].copy())
        if n_renew:
            self.renew(t, lists[2, :n_renew].copy())


def simulate_numba(
    scenario: complab.Scenario, trials: int, seed: int | None = None, batch_size: int = 64
) -> ReferenceResult:
    """Run the reference with the Numba account pass; arguments as
    :func:`numpy_reference.simulate_reference`."""
    return run_batches(scenario, trials, seed, batch_size, _NumbaBatch)
