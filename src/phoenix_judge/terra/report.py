"""What the conformance check found: one named result per check, in a fixed order."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

_MAX_MESSAGE = 500

CHECKS: dict[str, str] = {
    "metadata": "name, version, seat counts and schemas are well-formed",
    "map": "the map passes map_schema and check_map",
    "new-state": "new_state makes a state for every seat count",
    "plays": "random legal play runs without an exception",
    "deterministic": "the same seed gives the same frames, scores and rewards",
    "terminates": "random legal play ends within the turn cap",
    "random-moves-legal": "every random_move passes check_move and move_schema",
    "to-move": "to_move names distinct playing seats: one for turn-based games, none once over",
    "json": "observations and frames are JSON objects without NaN or infinity",
    "scores-rewards": "scores and rewards have one finite number per seat",
    "hostile-moves": "check_move answers junk and other seats' moves with a reason and never raises",
    "check-move-pure": "check_move does not change the state",
    "remove-seat": "after remove_seat the seat never moves again and play goes on or ends",
}


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One named check: passed or not, with the first failures in plain words."""

    name: str
    description: str
    passed: bool
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description, "passed": self.passed, "message": self.message}


@dataclass(slots=True)
class CheckReport:
    """Every check of one game, in the order of CHECKS."""

    game: str
    results: list[CheckResult]

    @property
    def passed(self) -> bool:
        return all(result.passed for result in self.results)

    def failed(self) -> list[CheckResult]:
        return [result for result in self.results if not result.passed]

    def result(self, name: str) -> CheckResult:
        return next(result for result in self.results if result.name == name)

    def to_json(self) -> dict[str, Any]:
        return {"game": self.game, "passed": self.passed, "results": [r.to_json() for r in self.results]}


@dataclass(slots=True)
class Findings:
    """Failures collected while checking, turned into a CheckReport at the end."""

    failures: dict[str, list[str]] = field(default_factory=dict)
    skipped: str | None = None

    def fail(self, check: str, message: str) -> None:
        """Record one failure of `check`; the report shows the first and counts the rest."""
        short = message if len(message) <= _MAX_MESSAGE else message[:_MAX_MESSAGE] + "..."
        self.failures.setdefault(check, []).append(short)

    def report(self, game_name: str) -> CheckReport:
        return CheckReport(game_name, [self._result(name, text) for name, text in CHECKS.items()])

    def _result(self, name: str, description: str) -> CheckResult:
        messages = self.failures.get(name)
        if messages:
            more = f" (and {len(messages) - 1} more)" if len(messages) > 1 else ""
            return CheckResult(name, description, False, messages[0] + more)
        if self.skipped and name != "metadata":
            return CheckResult(name, description, False, f"not run: {self.skipped}")
        return CheckResult(name, description, True, description)
