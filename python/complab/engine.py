"""Running the Monte Carlo engine: :func:`simulate`."""

from __future__ import annotations

import contextlib
import math
import os
import signal
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from complab import _core
from complab.result import Result
from complab.scenario import Scenario


class SimulationInterrupted(KeyboardInterrupt):
    """Ctrl-C during :func:`simulate`. ``partial`` holds the trials that finished."""

    def __init__(self, partial: Result) -> None:
        super().__init__(
            f"simulation interrupted after {partial.trials} completed trials; "
            "the finished trials are in this exception's .partial"
        )
        self.partial = partial


@contextlib.contextmanager
def sigint_deferred() -> Iterator[None]:
    """Hold Ctrl-C until the block ends, then raise it: for short steps that must not stop
    half-way (turning finished arrays into a result). Only the main thread receives
    signals, so elsewhere this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if received and callable(previous):
        previous(signal.SIGINT, None)


def resolve_seed(seed: int | np.random.SeedSequence | None) -> tuple[int, Any]:
    """The engine's 64-bit key and what to record so the run can be repeated.

    An int in [0, 2**64) is used as it is (0 is a seed like any other); a SeedSequence is
    reduced to 64 bits; None draws fresh entropy, recorded as the SeedSequence's entropy.
    """
    if seed is None:
        seed = np.random.SeedSequence()
    if isinstance(seed, np.random.SeedSequence):
        key = int(seed.generate_state(1, np.uint64)[0])
        return key, {"entropy": seed.entropy, "spawn_key": list(seed.spawn_key)}
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"seed: {seed!r} is not an int, a numpy SeedSequence or None")
    if not 0 <= int(seed) < 2**64:
        raise ValueError(f"seed: {seed} is not in [0, 2**64)")
    return int(seed), int(seed)


_MAX_INT = 2**31 - 1  # the core's trial counts and indices are 32-bit


def _positive_int(name: str, value: Any, minimum: int = 1, maximum: int = _MAX_INT) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name}: {value!r} is not an integer")
    if int(value) < minimum:
        raise ValueError(f"{name}: {value} is not >= {minimum}")
    if int(value) > maximum:
        raise ValueError(f"{name}: {value} is more than {maximum:,}, the most allowed")
    return int(value)


# Bytes a result holds per trial, by array (the engine's SimulationOutput; int64 and
# double cells, effort in float32, a kept account record in 56 bytes); and what a worker
# thread holds per account a trial ever opens (measured: about 310 bytes).
_ACCOUNT_RECORD_BYTES = 56
_ACCOUNT_WORKING_BYTES = 320


def _accounts_per_trial(w: Any) -> float:
    """Accounts a trial opens, roughly from above: the initial book, and opportunities from
    every source (docs/model.md §5: SDRs, inbound, AEs' prospecting at the highest effort
    level; skill at its mean) won at twice the highest win rate, since effort and
    over-promising raise it, or all of them."""
    skill = math.exp(w.skill_log_sd**2 / 2)
    wins = max([s.win_rate for s in w.segments] + [0.0])
    level = w.behaviour.max_effort_level
    per_month = w.sdr_headcount * w.opportunities_per_sdr * skill + sum(
        s.inbound_opportunities + s.ae_headcount * s.ae_prospecting * skill * level
        for s in w.segments
    )
    new = w.months * per_month * min(1.0, 2 * wins)
    return sum(s.initial_accounts for s in w.segments) + new


def _run_bytes(
    scenario: Scenario, reps: int, trials: int, threads: int, keep_accounts: bool
) -> int:
    """What a run needs: its result arrays, kept account records, and each worker thread's
    accounts. To refuse a run the machine cannot hold before it starts, rather than fail in
    the middle of it."""
    accounts = _accounts_per_trial(scenario.world)
    need = _result_bytes(scenario, reps, trials)
    need += int(min(threads, trials) * _ACCOUNT_WORKING_BYTES * accounts)
    if keep_accounts:
        need += int(trials * _ACCOUNT_RECORD_BYTES * accounts)
    return need


def _result_bytes(scenario: Scenario, reps: int, trials: int) -> int:
    """What a run's result arrays (without kept account records) will need, from the
    scenario's shape and its number of reps."""
    w = scenario.world
    months, periods = w.months, w.months // w.period_months
    years, segments = months // 12, len(w.segments)
    measures = max([len(p.measures) for p in scenario.plans.values()] + [1])
    cells = months * len(_core.SERIES) + years * segments * len(_core.COHORT_FIELDS)
    # Per seat-period: raw slots, first-renewal churn, pay, measure payouts, skill, pay terms
    # and their part on own terms.
    cells += (
        reps * periods * (_core.NUM_RAW_SLOTS + 2 + len(_core.PAY_FIELDS) + measures + 5) + reps
    )
    cells += months * (2 * segments + 1) * len(_core.HEADCOUNT_FIELDS)  # headcount by seat group
    per_trial = 8 * cells + 2 * reps * months  # tenure: int16
    if w.behaviour.incentive_sensitivity > 0:
        per_trial += 4 * reps * months * len(_core.EFFORT_FIELDS)
    return per_trial * trials


def _memory_bytes() -> tuple[int, str] | None:
    """The memory this process may still take, and where that limit comes from: the least
    of physical RAM, the address-space and data rlimits (less what the process holds) and
    its cgroup's limit (less what the cgroup uses). None when nothing can be read."""
    limits: list[tuple[int, str]] = []
    try:
        limits.append(
            (os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"), "this machine has")
        )
    except (ValueError, OSError, AttributeError):
        pass
    try:
        import resource

        used = _status_bytes("VmSize")
        for name in ("RLIMIT_AS", "RLIMIT_DATA"):
            soft = resource.getrlimit(getattr(resource, name))[0]
            if soft != resource.RLIM_INFINITY and soft > 0:
                limits.append((max(soft - used, 0), f"the process limit {name} leaves"))
    except (ImportError, ValueError, OSError):
        pass
    cgroup = _cgroup_bytes()
    if cgroup is not None:
        limits.append((cgroup, "this process's cgroup (container) leaves"))
    return min(limits) if limits else None


def _status_bytes(field: str) -> int:
    """A ``kB`` field of /proc/self/status in bytes (0 where there is none)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _cgroup_bytes() -> int | None:
    """What the process's cgroup may still use: cgroup v2's memory.max less memory.current,
    or v1's limit_in_bytes less usage_in_bytes; None when unlimited or unreadable."""
    try:
        with open("/proc/self/cgroup", encoding="utf-8") as f:
            entries = [line.rstrip("\n").split(":", 2) for line in f]
    except OSError:
        return None
    for _, controllers, group in entries:
        if controllers == "":  # v2
            mount = Path("/sys/fs/cgroup")
            files = ("memory.max", "memory.current")
        elif "memory" in controllers.split(","):
            mount = Path("/sys/fs/cgroup/memory")
            files = ("memory.limit_in_bytes", "memory.usage_in_bytes")
        else:
            continue
        # In a container the group's path is often not visible: its root is the mount.
        for base in (mount / group.lstrip("/"), mount):
            try:
                limit_text = (base / files[0]).read_text().strip()
                used = int((base / files[1]).read_text().strip())
            except (OSError, ValueError):
                continue
            if limit_text.isdigit() and int(limit_text) < 2**60:
                return max(int(limit_text) - used, 0)
            break
    return None


def warn_idle_clawbacks(scenario: Scenario) -> None:
    """A ``UserWarning`` naming each plan whose clawback can never apply: first renewals
    fall 12 months after a sale (docs/model.md §7), so a horizon of 12 months or less has
    none, and the clawback changes nothing."""
    months = scenario.world.months
    if months > 12:
        return
    for key, plan in scenario.plans.items():
        if plan.clawback is not None:
            warnings.warn(
                f"plans.{key}: the clawback can never apply: first renewals fall 12 months "
                f"after a sale, past this {months}-month horizon (world.months); simulate at "
                "least 13 months for it to claw anything back",
                UserWarning,
                stacklevel=3,
            )


def callback_for(
    progress: bool | Callable[[int], None], trials: int
) -> tuple[Callable[[int], None] | None, Callable[[], None]]:
    """The callback given the trials done for ``progress``, and what closes its bar."""
    if progress is True:
        from tqdm.auto import tqdm

        bar = tqdm(total=trials, unit="trial", desc="simulating")

        def update(done: int) -> None:
            bar.update(done - bar.n)

        return update, bar.close
    return (progress if callable(progress) else None), lambda: None


def simulate_part(spec: dict[str, Any]) -> dict[str, Any]:
    """One trial range of a split run (:func:`simulate` with ``executor=``): the engine's
    arrays for ``spec``'s plain data (scenario and history as dicts, the engine's 64-bit
    seed, ``first_trial``, ``trials``, ``threads``, ``batch_size``, ``keep_accounts``).
    Top-level, so it pickles to worker processes."""
    core = Scenario.from_dict(spec["scenario"])._to_core()
    if spec["history"] is not None:
        core.history = [Scenario.from_dict(spec["history"])._to_core()]
        core.validate()
    options = _core.RunOptions()
    for name in ("trials", "seed", "threads", "batch_size", "first_trial", "keep_accounts"):
        setattr(options, name, spec[name])
    arrays = _core.simulate(core, options, None)
    interrupt = arrays.pop("interrupt")
    if interrupt is not None:
        raise interrupt
    return arrays


def _run_tasks(
    pool: Any,
    tasks: Sequence[tuple[Any, Callable[[Any], Any], Any]],
    take: Callable[[Any, Any], int],
    progress: tuple[Callable[[int], None] | None, Callable[[], None]],
) -> KeyboardInterrupt | None:
    """Submits each ``(key, fn, arg)`` to `pool` and hands each finished result to
    ``take(key, result)``, which returns the trials it held, reporting the running total.
    Ctrl-C stops the wait: what has not run is cancelled and the interruption returned."""
    import concurrent.futures as cf

    callback, close_bar = progress
    futures: dict[cf.Future, Any] = {}
    done = 0
    try:
        for key, fn, arg in tasks:
            futures[pool.submit(fn, arg)] = key
        for future in cf.as_completed(futures):
            done += take(futures[future], future.result())
            if callback is not None:
                callback(done)
    except KeyboardInterrupt as err:
        return err
    finally:
        for future in futures:
            future.cancel()
        close_bar()
    return None


def simulate_parts(specs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """:func:`simulate_part` of each spec in turn: one task of a split run with uncertain
    assumptions, whose draws each run on their own scenario."""
    return [simulate_part(spec) for spec in specs]


def _task_size(trials: int, trials_per_task: int | None) -> int:
    """Trials per task of a split run: about 32 tasks of at least 50 trials by default."""
    if trials_per_task is None:
        return max(50, math.ceil(trials / 32))
    return _positive_int("trials_per_task", trials_per_task)


def _simulate_split(
    scenario: Scenario,
    options: Any,
    seed_record: Any,
    history: Scenario | None,
    executor: Any,
    trials_per_task: int | None,
    threads: int | None,
    progress: tuple[Callable[[int], None] | None, Callable[[], None]],
) -> Result:
    """:func:`simulate` split into trial ranges on ``executor``, joined in trial order."""
    from complab.sweeps import _resolve_executor

    pool = _resolve_executor(executor)
    assert pool is not None
    trials, first = options.trials, options.first_trial
    size = _task_size(trials, trials_per_task)
    warn_idle_clawbacks(scenario)
    reps = len(_core.roster(scenario._to_core())[0])
    need = _run_bytes(scenario, reps, trials, 0, options.keep_accounts)
    memory = _memory_bytes()
    if memory is not None and need > 0.8 * memory[0]:
        raise ValueError(
            f"trials: the joined result of {trials:,} trials needs about "
            f"{need / 2**30:,.1f} GiB and {memory[1]} {memory[0] / 2**30:,.1f} GiB; run "
            "fewer trials, or run parts with first_trial and reduce each before joining"
        )
    common = dict(
        scenario=scenario.to_dict(),
        history=None if history is None else history.to_dict(),
        seed=options.seed,
        threads=1 if threads is None else threads,
        batch_size=options.batch_size,
        keep_accounts=options.keep_accounts,
    )
    arrays: dict[str, np.ndarray] = {}
    accounts: dict[int, dict[str, np.ndarray]] = {}

    def take(a: int, part: dict[str, Any]) -> int:  # a: the range's start (0-based)
        records = part.pop("accounts", None)
        n = len(part["completed"])
        for name, values in part.items():
            if name not in arrays:
                arrays[name] = np.zeros((trials, *values.shape[1:]), values.dtype)
            arrays[name][a : a + n] = values
        if records is not None:
            records["trial"] = records["trial"] + a
            accounts[a] = records
        return n

    tasks = [
        (a, simulate_part, dict(common, first_trial=first + a, trials=min(size, trials - a)))
        for a in range(0, trials, size)
    ]
    interrupted = _run_tasks(pool, tasks, take, progress)
    if not arrays:  # interrupted before any part finished
        raise interrupted if interrupted is not None else RuntimeError("no trials ran")
    result = Result(
        scenario=scenario, seed=seed_record, first_trial=first, arrays=arrays, history=history
    )
    if accounts:
        parts = [accounts[a] for a in sorted(accounts)]
        result.account_records = {
            name: np.concatenate([p[name] for p in parts]) for name in parts[0]
        }
    if interrupted is not None:
        raise SimulationInterrupted(result.completed_trials()) from interrupted
    return result


def simulate(
    scenario: Scenario,
    trials: int = 1000,
    seed: int | np.random.SeedSequence | None = None,
    threads: int | None = None,
    progress: bool | Callable[[int], None] = False,
    batch_size: int | None = None,
    first_trial: int = 0,
    keep_accounts: bool = False,
    history: Scenario | None = None,
    trials_per_draw: int = 1,
    executor: Any = None,
    trials_per_task: int | None = None,
) -> Result:
    """Simulate ``trials`` independent runs of the scenario's world and pay its reps.

    Parameters
    ----------
    scenario
        The world and plans (:func:`complab.presets.default` for a start).
    trials
        Number of Monte Carlo trials.
    seed
        Results are a pure function of the seed and the scenario, whatever the thread count.
    threads
        Worker threads; None uses every core.
    progress
        True for a progress bar (notebook-aware), or a callable given the trials done.
    batch_size
        Trials per work unit pulled by a thread; None picks one.
    keep_accounts
        Also keep every account's final state (:meth:`Result.accounts`); off by default,
        since it costs memory in proportion to accounts x trials.
    first_trial
        Key of the first trial: runs over ``[a, b)`` and ``[b, c)`` join into the run over
        ``[a, c)`` exactly, which is how sweeps spread one scenario across processes.
    history
        The business before month 0, when this run starts from another scenario's book
        (docs/model.md §4): the book at month 0 — its renewal mix, its accounts' ARR and
        health — is the one that scenario's rates and staffing left, and this scenario's
        world runs from month 0. :func:`complab.compare` passes the base, so a variant
        ("one point less churn", "six more CSMs") starts from today's book rather than one
        rebuilt as if the change had always held. None: the scenario's own history.
    trials_per_draw
        With uncertain assumptions (:attr:`Scenario.uncertain`): how many consecutive
        trials share one draw of them. Draw ``g`` holds trials ``[g k, (g + 1) k)`` by
        absolute trial index and is keyed by (seed, g, field), so split runs join exactly
        and every plan run on the same seed sees the same draws. 1 (the default): a fresh
        draw every trial. 2 or more lets :meth:`Result.variance_sources` split each KPI's
        variance into assumption uncertainty and the world's own luck.
    executor
        Split the trials into ranges and run them on this ``concurrent.futures.Executor``
        or ``dask.distributed.Client`` (docs/dask.md); the parts join into the result of a
        local run bit for bit. Each part runs on ``threads`` threads (1 when None). With
        uncertain assumptions a part is a run of whole draws, each on its drawn scenario.
    trials_per_task
        Trials per part with an executor; None: about 32 parts of at least 50 trials
        (with uncertain assumptions, parts end at the first draw boundary past it).

    Returns
    -------
    Result
        Tables of company KPIs, cohorts, reps' attainment and pay.

    Raises
    ------
    SimulationInterrupted
        On Ctrl-C, within about a tenth of a second after the batches in flight finish;
        the exception's ``partial`` holds the finished trials.
    """
    if not isinstance(scenario, Scenario):
        raise ValueError(f"scenario: expected a complab.Scenario, got {type(scenario).__name__}")
    trials = _positive_int("trials", trials)
    threads_given = threads
    threads = (
        (os.cpu_count() or 1)
        if threads is None
        else _positive_int("threads", threads, maximum=4096)
    )
    if not (isinstance(progress, bool) or callable(progress)):
        raise ValueError(f"progress: {progress!r} is not true, false or a callable")
    key, seed_record = resolve_seed(seed)
    options = _core.RunOptions()
    options.trials = trials
    options.seed = key
    options.threads = threads
    options.batch_size = 0 if batch_size is None else _positive_int("batch_size", batch_size)
    options.first_trial = _positive_int("first_trial", first_trial, minimum=0, maximum=2**32 - 1)
    if not isinstance(keep_accounts, (bool, np.bool_)):
        raise ValueError(f"keep_accounts: {keep_accounts!r} is not true or false")
    options.keep_accounts = bool(keep_accounts)
    if options.first_trial + trials > 2**32:
        raise ValueError(f"first_trial: {first_trial} + trials must stay below 2**32")
    trials_per_draw = _positive_int("trials_per_draw", trials_per_draw)
    if history is not None and not isinstance(history, Scenario):
        raise ValueError(f"history: expected a complab.Scenario, got {type(history).__name__}")
    if scenario.uncertain or (history is not None and history.uncertain):
        if executor is None and trials_per_task is not None:
            raise ValueError("trials_per_task: only with an executor")
        return _simulate_drawn(
            scenario,
            trials,
            key,
            seed_record,
            threads,
            progress,
            int(first_trial),
            trials_per_draw,
            bool(keep_accounts),
            history,
            split=None
            if executor is None
            else (executor, trials_per_task, None if threads_given is None else threads),
        )
    core = scenario._to_core()
    if history is not None and scenario.book is not None:
        history = None  # a company's own book is today's: no history builds it
    if history is not None:
        if not isinstance(history, Scenario):
            raise ValueError(f"history: expected a complab.Scenario, got {type(history).__name__}")
        core.history = [history._to_core()]
        try:
            core.validate()
        except ValueError as err:
            raise ValueError(str(err)) from None
    if executor is not None:
        return _simulate_split(
            scenario,
            options,
            seed_record,
            history,
            executor,
            trials_per_task,
            None if threads_given is None else threads,
            callback_for(progress, trials),
        )
    if trials_per_task is not None:
        raise ValueError("trials_per_task: only with an executor")
    warn_idle_clawbacks(scenario)
    reps = len(_core.roster(core)[0])
    need = _run_bytes(scenario, reps, trials, threads, options.keep_accounts)
    memory = _memory_bytes()
    if memory is not None and need > 0.8 * memory[0]:
        have, source = memory
        raise ValueError(
            f"trials: {trials:,} trials of this scenario need about {need / 2**30:,.1f} GiB "
            f"(results and each thread's accounts) and {source} {have / 2**30:,.1f} "
            "GiB; run fewer trials or threads, or split the run into parts with first_trial "
            "(complab.sweep does this across processes)"
        )

    callback, close_bar = callback_for(progress, trials)
    try:
        arrays = _core.simulate(core, options, callback)
    finally:
        close_bar()
    interrupt = arrays.pop("interrupt")
    try:
        with sigint_deferred():
            accounts = arrays.pop("accounts", None)
            result = Result(
                scenario=scenario,
                seed=seed_record,
                first_trial=first_trial,
                arrays=arrays,
                history=history,
            )
            if accounts is not None:
                result.account_records = accounts
    except KeyboardInterrupt as late:  # Ctrl-C as the run finished: every trial is kept
        interrupt = interrupt or late
    if interrupt is not None:
        if isinstance(interrupt, KeyboardInterrupt):
            raise SimulationInterrupted(result.completed_trials()) from interrupt
        raise interrupt
    return result


def draw_chunks(first_trial: int, trials: int, trials_per_draw: int) -> list[tuple[int, int, int]]:
    """The runs of trials that share a draw: ``(start, stop, draw)`` by absolute trial."""
    chunks = []
    t, stop = first_trial, first_trial + trials
    while t < stop:
        g = t // trials_per_draw
        end = min(stop, (g + 1) * trials_per_draw)
        chunks.append((t, end, g))
        t = end
    return chunks


def _simulate_drawn(
    scenario: Scenario,
    trials: int,
    key: int,
    seed_record: Any,
    threads: int,
    progress: bool | Callable[[int], None],
    first_trial: int,
    trials_per_draw: int,
    keep_accounts: bool,
    history: Scenario | None,
    split: tuple[Any, int | None, int | None] | None = None,
) -> Result:
    """:func:`simulate` with uncertain assumptions (docs/model.md §11): each group of
    trials sharing a draw is its own engine call on the scenario at that draw, keyed by
    absolute trial, so the trials equal those of a fixed scenario at the drawn values and
    the result is the same for any thread count or split. Every drawn scenario is built and
    checked before anything runs. `split`: ``(executor, trials_per_task, threads)`` runs
    the groups as tasks of consecutive draws on the executor instead of local threads."""
    import concurrent.futures as cf

    from complab import uncertainty

    chunks = draw_chunks(first_trial, trials, trials_per_draw)
    groups = [g for _, _, g in chunks]
    values = uncertainty.draw(scenario.uncertain, key, groups)
    past = (
        uncertainty.draw(history.uncertain, key, groups)
        if history is not None and history.uncertain
        else None
    )
    cores, specs = [], []
    for i, (start, stop, g) in enumerate(chunks):
        book = None
        try:
            drawn = scenario.at({p: v[i] for p, v in values.items()})
            core = drawn._to_core()
            if history is not None:
                book = history.at({p: v[i] for p, v in past.items()}) if past else history
                core.history = [book._to_core()]
                core.validate()
        except ValueError as err:
            raise ValueError(
                f"trial {start} (draw {g} of the uncertain assumptions): {err}"
            ) from None
        cores.append(core)
        if split is not None:  # plain data, for worker processes (simulate_part)
            specs.append(
                dict(
                    scenario=drawn.to_dict(),
                    history=None if book is None else book.to_dict(),
                    seed=key,
                    threads=1 if split[2] is None else split[2],
                    batch_size=0,
                    first_trial=start,
                    trials=stop - start,
                    keep_accounts=keep_accounts,
                )
            )
    warn_idle_clawbacks(scenario)
    reps = len(_core.roster(cores[0])[0])
    need = _run_bytes(scenario, reps, trials, threads, keep_accounts)
    memory = _memory_bytes()
    if memory is not None and need > 0.8 * memory[0]:
        raise ValueError(
            f"trials: {trials:,} trials of this scenario need about {need / 2**30:,.1f} GiB; "
            f"{memory[1]} {memory[0] / 2**30:,.1f} GiB; run fewer trials"
        )
    if split is not None:
        return _drawn_result(
            *_run_drawn_tasks(specs, chunks, trials, split, progress),
            chunks,
            first_trial,
            scenario,
            seed_record,
            history,
            trials_per_draw,
        )
    workers = max(1, min(threads, len(chunks)))
    inner = max(1, threads // workers)

    def run(i: int) -> dict[str, Any]:
        start, stop, _ = chunks[i]
        options = _core.RunOptions()
        options.trials = stop - start
        options.seed = key
        options.threads = inner
        options.batch_size = 0
        options.first_trial = start
        options.keep_accounts = keep_accounts
        return _core.simulate(cores[i], options, None)

    callback, close_bar = callback_for(progress, trials)
    parts: list[dict[str, Any]] = []
    interrupted: KeyboardInterrupt | None = None
    pool = cf.ThreadPoolExecutor(max_workers=workers)
    try:
        futures = [pool.submit(run, i) for i in range(len(chunks))]
        done = 0
        for i, fut in enumerate(futures):
            parts.append(fut.result())
            done += chunks[i][1] - chunks[i][0]
            if callback is not None:
                callback(done)
    except KeyboardInterrupt as err:
        interrupted = err
        for fut in futures:
            fut.cancel()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        close_bar()
    return _drawn_result(
        parts, interrupted, chunks, first_trial, scenario, seed_record, history, trials_per_draw
    )


def _run_drawn_tasks(
    specs: list[dict[str, Any]],
    chunks: list[tuple[int, int, int]],
    trials: int,
    split: tuple[Any, int | None, int | None],
    progress: bool | Callable[[int], None],
) -> tuple[list[dict[str, Any]], KeyboardInterrupt | None]:
    """The draws' runs as tasks of consecutive draws (about ``trials_per_task`` trials each)
    on the executor; the finished runs in trial order, up to the first unfinished one when
    interrupted."""
    from complab.sweeps import _resolve_executor

    executor, trials_per_task, _ = split
    pool = _resolve_executor(executor)
    assert pool is not None
    size = _task_size(trials, trials_per_task)
    tasks: list[list[int]] = [[]]
    count = 0
    for i, (start, stop, _) in enumerate(chunks):
        if count >= size:
            tasks.append([])
            count = 0
        tasks[-1].append(i)
        count += stop - start
    runs: dict[int, dict[str, Any]] = {}

    def take(task: list[int], results: list[dict[str, Any]]) -> int:
        for i, arrays in zip(task, results, strict=True):
            runs[i] = arrays
        return sum(chunks[i][1] - chunks[i][0] for i in task)

    interrupted = _run_tasks(
        pool,
        [(task, simulate_parts, [specs[i] for i in task]) for task in tasks],
        take,
        callback_for(progress, trials),
    )
    parts = []
    for i in range(len(chunks)):  # the finished prefix
        if i not in runs:
            break
        parts.append(runs[i])
    return parts, interrupted


def _drawn_result(
    parts: list[dict[str, Any]],
    interrupted: KeyboardInterrupt | None,
    chunks: list[tuple[int, int, int]],
    first_trial: int,
    scenario: Scenario,
    seed_record: Any,
    history: Scenario | None,
    trials_per_draw: int,
) -> Result:
    """The runs of an uncertain scenario's draws joined as one result (raising
    SimulationInterrupted, with it, when interrupted)."""
    with sigint_deferred():
        arrays = _join_parts(parts, chunks, first_trial, scenario)
        result = Result(
            scenario=scenario,
            seed=seed_record,
            first_trial=first_trial,
            arrays={k: v for k, v in arrays.items() if k != "accounts"},
            history=history,
            trials_per_draw=trials_per_draw,
        )
        if "accounts" in arrays:
            result.account_records = arrays["accounts"]
    if interrupted is not None:
        raise SimulationInterrupted(result) from interrupted
    return result


def _join_parts(
    parts: list[dict[str, Any]],
    chunks: list[tuple[int, int, int]],
    first_trial: int,
    scenario: Scenario,
) -> dict[str, Any]:
    """The engine outputs of consecutive trial runs as one output. Runs in fixed mode
    (a drawn incentive sensitivity of 0) record no effort; theirs is filled with the
    scenario's fixed shares at level 1 when other runs record it."""
    if not parts:  # interrupted before the first run finished: an empty result
        months = scenario.world.months
        core = scenario.fixed()._to_core()
        empty = _core.simulate(core, _one_trial_options(), None)
        return {k: v[:0] for k, v in empty.items() if k not in ("interrupt", "accounts")}
    out: dict[str, Any] = {}
    keys = [k for k in parts[0] if k not in ("interrupt", "accounts")]
    months = parts[0]["monthly"].shape[1]
    for k in keys:
        pieces = [p[k] for p in parts]
        if k == "effort" and len({p.shape[2] for p in pieces}) > 1:
            pieces = [p if p.shape[2] else _fixed_effort(scenario, p, months) for p in pieces]
        out[k] = np.concatenate(pieces, axis=0)
    if "accounts" in parts[0]:
        records: dict[str, list[np.ndarray]] = {}
        for p, (start, _, _) in zip(parts, chunks, strict=False):
            for name, col in p["accounts"].items():
                if name == "trial":
                    col = col + np.asarray(start - first_trial, dtype=col.dtype)
                records.setdefault(name, []).append(col)
        out["accounts"] = {name: np.concatenate(cols) for name, cols in records.items()}
    return out


def _one_trial_options() -> Any:
    options = _core.RunOptions()
    options.trials = 1
    options.seed = 0
    options.threads = 1
    return options


def _fixed_effort(scenario: Scenario, part: np.ndarray, months: int) -> np.ndarray:
    """Effort of a fixed-mode run in the engine's layout: the scenario's shares, level 1."""
    eff = scenario.world.effort
    roles = np.asarray(_core.roster(scenario.fixed()._to_core())[0])
    primary = np.select(
        [roles == "csm", roles == "ae"], [eff.csm_adoption, eff.ae_new_business], 1.0
    )
    over = np.where(roles == "ae", eff.ae_overpromise, 0.0)
    row = np.stack([primary, 1.0 - primary, over, np.ones_like(primary)], axis=-1)
    shape = (part.shape[0], part.shape[1], months, part.shape[3])
    return np.broadcast_to(row[None, :, None, :], shape).astype(part.dtype)
