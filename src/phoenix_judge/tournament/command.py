"""`python src tournament FILE.json`: run (or resume) a tournament, print the standings, write the report."""
from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from pathlib import Path
from types import FrameType

from ..errors import EXIT_INTERRUPTED, EXIT_JUDGE_ERROR, EXIT_OK
from .export import leaderboard, write_exports
from .report import write_report
from .runner import RunReport, Runner
from .spec import load_tournament
from .store import Store
from .summary import build_summary

log = logging.getLogger(__name__)


def configure(parser: argparse.ArgumentParser) -> None:
    cores = len(os.sched_getaffinity(0))
    parser.add_argument("file", type=Path, metavar="FILE.json", help="the tournament file (see docs/tournaments.md)")
    parser.add_argument("-j", "--jobs", type=_positive, default=cores,
                        help=f"matches played at once, each in its own arena (default: the number of cores, {cores})")
    parser.add_argument("--pin", action="store_true",
                        help="pin each concurrent match (its judge worker and its bots) to its own core")
    parser.add_argument("--db", type=Path, help="the SQLite store that makes the tournament resumable "
                        "(default: <output>/tournament.sqlite; rerun with the same store to resume)")
    parser.add_argument("--report", type=Path, help="where to write the HTML report (default: <output>/report.html)")
    parser.add_argument("--export", type=Path, metavar="DIR",
                        help="also write tournament.json, standings.csv, matches.csv and head_to_head.csv to DIR")
    parser.add_argument("--retries", type=_natural, default=1,
                        help="times a match the judge failed on is retried in this run (default 1)")
    parser.add_argument("--report-only", action="store_true",
                        help="play nothing: print the standings and write the report and exports from the store")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    spec = load_tournament(args.file)
    store = Store(args.db or spec.output / "tournament.sqlite")
    previous = signal.signal(signal.SIGTERM, _interrupt)     # SIGTERM stops cleanly, like Ctrl-C
    try:
        if args.report_only:
            store.bind(spec.name, spec.digest)
            outcome = RunReport()
        else:
            outcome = Runner(spec, store, jobs=args.jobs, pin=args.pin, retries=args.retries,
                             progress=not args.no_progress).run()
        summary = build_summary(spec, store)
    finally:
        signal.signal(signal.SIGTERM, previous)
        store.close()
    print(leaderboard(summary))
    report = write_report(summary, args.report or spec.output / "report.html")
    print(f"report: {report}")
    for path in write_exports(summary, args.export) if args.export else []:
        print(f"export: {path}")
    return _exit_code(outcome, summary["tournament"])


def _exit_code(outcome: RunReport, head: dict[str, int]) -> int:
    if outcome.interrupted:
        print(f"interrupted: {head['done']} of {head['scheduled']} matches are stored; "
              "rerun the same command to continue", file=sys.stderr)
        return EXIT_INTERRUPTED
    if outcome.failed:
        print(f"judge error: {len(outcome.failed)} matches failed (the judge's fault, not the bots'): "
              f"{', '.join(outcome.failed[:5])}{' …' if len(outcome.failed) > 5 else ''}; "
              "rerun the same command to retry them", file=sys.stderr)
        return EXIT_JUDGE_ERROR
    return EXIT_OK


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _natural(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value
