"""What the benchmarks share: running `notifier` as a child, configs, the machine, profiles.

The benchmarks drive notifier the way an operator does, through its CLI in a
subprocess, so they keep working while the internals move. Each run is
measured from outside: wall time, CPU (user + system, from the
`RUSAGE_CHILDREN` deltas around the run) and the child's peak RSS, read from
its /proc/PID/status (VmHWM) while it runs.

Not from `ru_maxrss`: on Linux a child's ru_maxrss (wait4, RUSAGE_CHILDREN)
starts at the high-water mark of the process it was spawned from, because
subprocess spawns with vfork and exec keeps the old memory's peak. A benchmark
process holding 250 MB of generated feeds would report every child at >= 250 MB.
"""

from __future__ import annotations

import io
import json
import os
import platform
import pstats
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROFILERS = ("py-spy", "cprofile")


def cores() -> int:
    """The cores this process may run on (what `nproc` prints)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def notifier_exe() -> str:
    """The `notifier` console script: on PATH, else beside the running Python (its venv)."""
    found = shutil.which("notifier") or str(Path(sys.executable).with_name("notifier"))
    if not Path(found).exists():
        sys.exit("notifier is not on PATH: activate the project's venv (pip install -e .)")
    return found


def machine() -> list[str]:
    """Lines describing this machine and the code measured, for the README."""
    mem_kb = 0
    model = platform.processor() or "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    version = subprocess.run(
        [notifier_exe(), "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    root = Path(__file__).resolve().parent.parent
    commit = subprocess.run(
        ["git", "-C", str(root), "log", "-1", "--format=%h %cs %s"],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return [
        f"machine: {cores()} cores (nproc), {mem_kb / 1024 / 1024:.1f} GiB RAM, {model}, "
        f"Linux {platform.release()}",
        f"python {platform.python_version()}, {version or 'notifier ?'}, commit {commit[:72]}",
    ]


@dataclass
class RunResult:
    """One `notifier` run, measured from outside."""

    args: list[str]
    returncode: int
    wall: float
    cpu: float
    user: float
    system: float
    peak_rss_mb: float
    stdout: str
    stderr: str
    started: float
    ended: float
    others: float = 0.0
    """Cores other processes kept busy on average during the run (this VM is shared)."""
    iowait: float = 0.0
    """Seconds the machine's cores sat idle waiting on I/O during the run (fsync, mostly)."""

    def overhead(self, ncores: int | None = None) -> float:
        """wall / (CPU / cores): 1.0 is every core busy the whole run; more is waiting."""
        busy = self.cpu / (ncores or cores())
        return self.wall / busy if busy > 0 else float("inf")

    def check(self, what: str, allowed: Sequence[int] = (0,)) -> None:
        """Stop the benchmark with the child's own words when it failed."""
        if self.returncode not in allowed:
            tail = (self.stderr or self.stdout).strip()[-1500:]
            sys.exit(f"{what}: notifier exited {self.returncode}\n{tail}")


_PYCACHE: list[str] = []


def bytecode_cache(folder: Path) -> str:
    """Give the children a bytecode cache in `folder`, as an installed notifier has one.

    pip compiles an install's modules once; an editable install under
    PYTHONDONTWRITEBYTECODE=1 (as in this sandbox) would compile notifier's own
    modules at every start. PYTHONPYCACHEPREFIX keeps the cache out of the source
    tree. Call `warm_up` once before timing anything.
    """
    _PYCACHE[:] = [str(folder)]
    return str(folder)


def child_env(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The children's environment: no NOTIFIER_* overrides of this shell; the bytecode cache."""
    out = {k: v for k, v in (env or os.environ).items() if not k.startswith("NOTIFIER_")}
    if _PYCACHE:
        out.pop("PYTHONDONTWRITEBYTECODE", None)
        out["PYTHONPYCACHEPREFIX"] = _PYCACHE[0]
    return out


def warm_up(folder: Path) -> None:
    """One untimed `notifier extract` run: imports every module a poll needs, filling the cache."""
    sample = folder / "warm-up.txt"
    sample.write_text("Floods displaced 12,000 people in Sindh province, OCHA said.\n")
    run_notifier(["extract", str(sample)]).check("warm-up (notifier extract)")


class MachineLoad:
    """CPU the rest of the machine used meanwhile: others' test suites skew a benchmark."""

    def __init__(self) -> None:
        self.start = self._busy()
        self.self_start = resource.getrusage(resource.RUSAGE_SELF)

    @staticmethod
    def _busy() -> tuple[float, float]:
        try:
            fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
        except OSError:
            return 0.0, 0.0
        user, nice, system, _idle, iowait, irq, softirq = (int(x) for x in fields[:7])
        tick = os.sysconf("SC_CLK_TCK")
        return (user + nice + system + irq + softirq) / tick, iowait / tick

    def others(self, own_children_cpu: float, wall: float) -> tuple[float, float]:
        """(cores kept busy by other processes on average, machine iowait s) since start."""
        busy, iowait = self._busy()
        me = resource.getrusage(resource.RUSAGE_SELF)
        mine = (me.ru_utime - self.self_start.ru_utime) + (me.ru_stime - self.self_start.ru_stime)
        others = busy - self.start[0] - mine - own_children_cpu
        return max(others, 0.0) / wall if wall > 0 else 0.0, iowait - self.start[1]


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


class PeakRss:
    """The largest VmHWM of a process and its descendants (py-spy's child), polled every 20 ms."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peaks: dict[int, int] = {}
        self.ticks: dict[int, tuple[int, int]] = {}
        """User and system clock ticks of each descendant, last seen: the worker processes,
        which are not the child's children (a forkserver's) and so not in RUSAGE_CHILDREN."""
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    @property
    def peak_kb(self) -> int:
        return max(self.peaks.values(), default=0)

    def stop(self) -> None:
        self._done.set()
        self._thread.join()

    def descendants_cpu(self) -> tuple[float, float]:
        """User and system seconds of the descendants (not the child itself), as last sampled."""
        tick = os.sysconf("SC_CLK_TCK")
        user = sum(u for pid, (u, _) in self.ticks.items() if pid != self.pid) / tick
        system = sum(s for pid, (_, s) in self.ticks.items() if pid != self.pid) / tick
        return user, system

    def _tree(self) -> list[int]:
        pids, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            for task in Path(f"/proc/{pid}/task").glob("*"):
                try:
                    todo += [int(c) for c in (task / "children").read_text().split()]
                except (OSError, ValueError):
                    continue
        return pids

    def _watch(self) -> None:
        while not self._done.is_set():
            for pid in self._tree():
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                    stat = Path(f"/proc/{pid}/stat").read_text()
                except OSError:
                    continue
                fields = stat.rsplit(")", 1)[1].split()
                self.ticks[pid] = (int(fields[11]), int(fields[12]))  # utime, stime
                for line in status.splitlines():
                    if line.startswith("VmHWM:"):
                        kb = int(line.split()[1])
                        self.peaks[pid] = max(self.peaks.get(pid, 0), kb)
            self._done.wait(0.02)


def run_notifier(
    args: Sequence[str],
    *,
    wrap: Sequence[str] = (),
    timeout: float = 3600,
    env: Mapping[str, str] | None = None,
) -> RunResult:
    """Run `[*wrap, notifier, *args]`; NOTIFIER_* variables of this shell are not passed on."""
    cmd = [*wrap, notifier_exe(), *args]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        load = MachineLoad()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=child_env(env))
        killer = threading.Timer(timeout, proc.kill)
        killer.start()
        watcher = PeakRss(proc.pid)
        try:
            _, status, _ = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
            watcher.stop()
        ended = time.monotonic()
        proc.returncode = os.waitstatus_to_exitcode(status)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        out.seek(0)
        err.seek(0)
        workers_user, workers_system = watcher.descendants_cpu()
        user = after.ru_utime - before.ru_utime + workers_user
        system = after.ru_stime - before.ru_stime + workers_system
        others, iowait = load.others(user + system, ended - started)
        return RunResult(
            args=list(args),
            returncode=proc.returncode,
            wall=ended - started,
            cpu=user + system,
            user=user,
            system=system,
            peak_rss_mb=watcher.peak_kb / 1024,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
            started=started,
            ended=ended,
            others=others,
            iowait=iowait,
        )


# config -----------------------------------------------------------------------


def extra_settings(snippet: str | None, sets: Sequence[str]) -> dict[str, Any]:
    """Config additions: a TOML snippet and `section.key=value` pairs (values read as TOML)."""
    extra: dict[str, Any] = tomllib.loads(snippet) if snippet else {}
    for pair in sets:
        key, sep, raw = pair.partition("=")
        if not sep or "." not in key:
            sys.exit(f"--set {pair!r}: write it as section.key=value, e.g. fetch.concurrency=64")
        section, _, name = key.strip().rpartition(".")
        try:
            value = tomllib.loads(f"v = {raw.strip()}")["v"]
        except tomllib.TOMLDecodeError:
            value = raw.strip()  # a bare word: a string
        extra.setdefault(section, {})[name] = value
    return extra


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str | Path):
        return json.dumps(str(value), ensure_ascii=False)  # a TOML basic string
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")


def _toml_table(lines: list[str], name: str, table: Mapping[str, Any]) -> None:
    plain = {k: v for k, v in table.items() if not isinstance(v, Mapping)}
    lines += [f"{k} = {_toml_value(v)}" for k, v in plain.items()]
    for key, sub in table.items():
        if isinstance(sub, Mapping):
            lines.append(f"[{name}.{key}]")
            _toml_table(lines, f"{name}.{key}", sub)


def write_config(
    path: Path,
    *,
    db: Path,
    feeds: Sequence[tuple[str, str]],
    subscribers: Sequence[Mapping[str, Any]],
    smtp_port: int = 25,
    extra: Mapping[str, Any] | None = None,
) -> Path:
    """A config as an operator writes one: state in `db`, SMTP on 127.0.0.1 without TLS."""
    settings: dict[str, Any] = {
        "storage": {"path": str(db)},
        "delivery": {"method": "smtp"},
        "smtp": {
            "host": "127.0.0.1",
            "port": smtp_port,
            "security": "none",
            "timeout": 30,
            "sender": "Humanitarian alerts <alerts@example.org>",
        },
    }
    settings = _merge(settings, extra or {})
    lines: list[str] = []
    for section, table in settings.items():
        if isinstance(table, Mapping):
            lines.append(f"[{section}]")
            _toml_table(lines, section, table)
            lines.append("")
    for name, url in feeds:
        lines += ["[[feeds]]", f"name = {_toml_value(name)}", f"url = {_toml_value(url)}", ""]
    for s in subscribers:
        lines.append("[[subscribers]]")
        _toml_table(lines, "subscribers", s)
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


# profiles -----------------------------------------------------------------------

# The first rule that matches the deepest frame it can wins; `imports` wins whenever
# an import is anywhere on the stack (lazy imports inside a step count as imports).
_CATEGORIES = [
    ("extraction (notifier/extract)", ("notifier/extract/",)),
    ("feed parsing (feedparser, sgmllib)", ("feedparser/", "sgmllib")),
    ("HTML to text (notifier/htmltext)", ("notifier/htmltext",)),
    ("HTTP client (httpx, httpcore, h11)", ("httpx/", "httpcore/", "h11/", "anyio/")),
    ("store (notifier/store, sqlite3)", ("notifier/store/", "sqlite3/")),
    ("render (jinja2, css_inline, notifier/render)", ("jinja2/", "css_inline", "notifier/render")),
    ("mail (aiosmtplib, email, notifier/mailer)", ("aiosmtplib/", "email/", "notifier/mailer")),
    ("config (pydantic, tomllib, notifier/config)", ("pydantic", "tomllib/", "notifier/config")),
    ("rules and digest (notifier/rules, digest)", ("notifier/rules", "notifier/digest")),
]
_GENERIC = [
    ("event loop (asyncio, selectors)", ("asyncio/", "selectors")),
    ("other notifier code", ("notifier/",)),
]


def _frame_file(frame: str) -> str:
    return frame.rpartition("(")[2]


def category(frames: Sequence[str]) -> str:
    """Where a sampled stack spends its time, by the deepest frame of a known package."""
    if any("importlib._bootstrap" in f for f in frames):
        return "imports"
    for rules in (_CATEGORIES, _GENERIC):
        for frame in reversed(frames):
            where = _frame_file(frame)
            for name, needles in rules:
                if any(n in where for n in needles):
                    return name
    return "other (stdlib, threads, interpreter)"


def summarize_collapsed(path: Path, top: int = 25) -> str:
    """Top functions by own and cumulative samples, and samples by category (py-spy raw file)."""
    own: Counter[str] = Counter()
    cum: Counter[str] = Counter()
    cats: Counter[str] = Counter()
    total = 0
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = stack.split(";")
        total += n
        own[frames[-1]] += n
        for frame in set(frames):
            cum[frame] += n
        cats[category(frames)] += n
    if not total:
        return "no samples"
    out = [f"{total} samples (of the thread holding the GIL, every 10 ms)", "", "by category:"]
    out += [f"  {n / total:6.1%}  {name}" for name, n in cats.most_common()]
    out += ["", f"top {top} by cumulative samples (the function and what it calls):"]
    out += [f"  {n / total:6.1%}  {frame}" for frame, n in cum.most_common(top)]
    out += ["", f"top {top} by own samples (the function itself):"]
    out += [f"  {n / total:6.1%}  {frame}" for frame, n in own.most_common(top)]
    return "\n".join(out)


def summarize_pstats(path: Path, top: int = 25) -> str:
    """Top functions by cumulative and own time of a cProfile file."""
    out = io.StringIO()
    stats = pstats.Stats(str(path), stream=out)
    stats.strip_dirs().sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


def profiler_wrap(profiler: str, out: Path, rate: int = 100) -> list[str]:
    """The command prefix that runs notifier under `profiler`, writing to `out`.

    py-spy samples the thread holding the GIL (`--gil`): where the Python CPU time
    goes, idle pool threads left out; C code that releases the GIL (an SQLite
    query, an fsync) is not counted, cProfile shows it.
    """
    if profiler == "py-spy":
        exe = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
        if not Path(exe).exists():
            sys.exit("py-spy is not installed: pip install py-spy (or use --profile cprofile)")
        options = ["--format", "raw", "--function", "--gil", "-r", str(rate), "-o", str(out)]
        return [exe, "record", *options, "--"]
    return [sys.executable, "-m", "cProfile", "-o", str(out)]


def summarize_profile(profiler: str, out: Path, top: int = 25) -> str:
    if profiler == "py-spy":
        return summarize_collapsed(out, top)
    return summarize_pstats(out, top)
