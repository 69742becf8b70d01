#!/usr/bin/env python3
"""Roster import benchmark: a province's whole roster (schools included) imported in < 2 s.

A generated roster file of N agencies (default 5,050: 50 departments at the top and 5,000
schools under them, 100 each) is imported into an empty database by `import_roster`, the
path of `agency-bot agencies import`: the file read and checked, the agencies written, the
import logged, in one transaction. Timed from the call to its return; `--runs` runs, each on
a fresh database, on SQLite and on PostgreSQL; min and median. A second import of the same
file (nothing to change) is timed too: the yearly roster sent again.

Run it from the repository, with the package installed (`pip install -e .`):

    python bench/roster.py [--schools 5000] [--runs 3] [--postgres URL | --no-postgres] [--json]

PostgreSQL is `--postgres`, else $AGENCY_BOT_TEST_POSTGRES, else the local server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from scratch_db import ScratchPostgres

from bot.onboarding.roster import import_roster
from db.migrate import upgrade
from db.session import make_engine, make_sessionmaker

POSTGRES_ENV = "AGENCY_BOT_TEST_POSTGRES"
DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
DEPARTMENTS = 50
TARGET_SECONDS = 2.0


def write_roster(path: Path, schools: int) -> int:
    """The roster file: departments at the top, the schools shared out under them."""
    lines = ["code,name,group,parent"]
    lines += [f"so-{n},Sở {n},so-nganh," for n in range(DEPARTMENTS)]
    lines += [f"truong-{n},Trường {n},truong-hoc,so-{n % DEPARTMENTS}" for n in range(schools)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines) - 1


async def timed_imports(url: str, roster: Path) -> tuple[float, float]:
    """(first import, second import of the same file) on a fresh database at `url`."""
    engine = make_engine(url)
    try:
        await upgrade(engine)
        sessionmaker = make_sessionmaker(engine)
        started = time.perf_counter()
        await import_roster(sessionmaker, roster)
        first = time.perf_counter() - started
        started = time.perf_counter()
        await import_roster(sessionmaker, roster)
        return first, time.perf_counter() - started
    finally:
        await engine.dispose()


async def on_sqlite(folder: Path, roster: Path, run: int) -> tuple[float, float]:
    return await timed_imports(f"sqlite+aiosqlite:///{folder / f'roster-{run}.db'}", roster)


async def on_postgres(server: str, roster: Path) -> tuple[float, float]:
    scratch = ScratchPostgres(server)
    try:
        return await timed_imports(await scratch.create(), roster)
    finally:
        await scratch.drop()


def summary(times: Sequence[tuple[float, float]]) -> dict[str, object]:
    firsts = [first for first, _ in times]
    again = [second for _, second in times]
    return {
        "min": min(firsts),
        "median": statistics.median(firsts),
        "runs": firsts,
        "again_median": statistics.median(again),
    }


async def run(args: argparse.Namespace) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="agency-bot-bench-") as tmp:
        folder = Path(tmp)
        roster = folder / "roster.csv"
        agencies = write_roster(roster, args.schools)
        report: dict[str, object] = {"agencies": agencies}
        report["sqlite"] = summary([await on_sqlite(folder, roster, n) for n in range(args.runs)])
        if args.no_postgres:
            report["postgresql"] = "skipped: --no-postgres"
        else:
            try:
                times = [await on_postgres(args.postgres, roster) for _ in range(args.runs)]
                report["postgresql"] = summary(times)
            except OSError as error:
                report["postgresql"] = f"skipped: {error}"
    return report


def render_text(report: dict[str, object]) -> str:
    lines = [f"import a roster of {report['agencies']:,} agencies into an empty database"]
    for name in ("sqlite", "postgresql"):
        result = report[name]
        if not isinstance(result, dict):
            lines.append(f"  {name:<11} {result}")
            continue
        runs = ", ".join(f"{t:.2f}" for t in result["runs"])
        verdict = "ok" if result["median"] < TARGET_SECONDS else "MISSED"
        lines.append(
            f"  {name:<11} min {result['min']:.2f} s  median {result['median']:.2f} s  "
            f"target < {TARGET_SECONDS:g} s  {verdict}  (runs {runs}); "
            f"the same file again {result['again_median']:.2f} s"
        )
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--schools", type=int, default=5000, help="schools under 50 departments")
    parser.add_argument("--runs", type=int, default=3, help="imports per database")
    parser.add_argument(
        "--postgres",
        default=os.environ.get(POSTGRES_ENV) or DEFAULT_POSTGRES,
        help=f"PostgreSQL server URL (default ${POSTGRES_ENV} or {DEFAULT_POSTGRES})",
    )
    parser.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL figures")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    report = asyncio.run(run(args))
    print(json.dumps(report) if args.json else render_text(report))


if __name__ == "__main__":
    main()
