"""Tournaments for contest organisers: parallel, resumable, rated.

    load_tournament(path) -> TournamentSpec        the validated tournament file
    Runner(spec, Store(db), jobs=N).run()          play what is not done yet -> RunReport
    build_summary(spec, store) -> dict             standings, crosstable, head-to-head, matches
    write_report(summary, path), write_exports(summary, folder), leaderboard(summary)

`python src tournament FILE.json` (command.py) wires these together; see docs/tournaments.md.
"""
from .export import leaderboard, write_exports
from .report import write_report
from .runner import RunReport, Runner
from .spec import TournamentSpec, load_tournament
from .store import Store
from .summary import build_summary

__all__ = ["RunReport", "Runner", "Store", "TournamentSpec", "build_summary", "leaderboard", "load_tournament",
           "write_exports", "write_report"]
