"""The match's records, written as the match goes and committed to out/ at the end.

replay    JSON: {"header": {...}, "frames": [{"turn", "moves", "scores", "state"}, ...]}, streamed
movelog   JSONL: every line each bot sent (seat, turn, time, bytes, message) and the judge's time per turn
debuglog  one file per bot: its stderr, capped
errorlog  JSONL: every fault the judge saw, with verdict, reason, turn, detail
result    JSON: scores, ranks, verdicts, turns, durations, paths of the other records
"""
from __future__ import annotations

import json
import time
from typing import Any

from ..gameloop.events import Event, MatchEnded, MatchStarted, SeatFaulted, TurnPlayed
from ..match import MatchSpec
from ..sky.channel import MoveLogSink
from .files import RecordFile


class Recorder:
    """Observer of the gameloop that keeps every record of one match."""

    def __init__(self, spec: MatchSpec) -> None:
        spec.commit.ensure()
        self.spec = spec
        self.names: dict[str, str] = spec.extra["filenames"]
        self.started = time.monotonic()
        self.replay = RecordFile(spec.commit.replays / self._name("replay"))
        self.movelog = RecordFile(spec.commit.movelogs / self._name("movelog"))
        self.errorlog = RecordFile(spec.commit.errorlogs / self._name("errorlog"))
        self.debug: dict[int, tuple[str, str]] = {}    # seat -> (bot name, text)
        self._frames = 0

    def _name(self, kind: str, **more: Any) -> str:
        return self.names[kind].format(match_id=self.spec.match_id, **more)

    def movelog_sink(self, seat: int) -> MoveLogSink:
        """A sink for the channel of `seat`: each line the bot sent becomes one movelog record.

        Channels stamp records relative to `self.started` (pass it as their epoch).
        """
        write = self.movelog.write_json_line
        def sink(record: dict[str, Any]) -> None:
            write({"seat": seat, **record})
        return sink

    def note_error(self, record: dict[str, Any]) -> None:
        """A fault that is not a seat's verdict (a judge-side problem, a discarded reply)."""
        self.errorlog.write_json_line({"t": round(time.monotonic() - self.started, 6), **record})

    def set_debug(self, seat: int, bot: str, text: str) -> None:
        self.debug[seat] = (bot, text)

    def on_event(self, event: Event) -> None:
        match event:
            case MatchStarted(header=header):
                self.replay.stream.write('{"header":' + json.dumps(header, default=str) + ',"frames":[\n')
            case TurnPlayed():
                frame = {"turn": event.turn, "moves": {str(k): v for k, v in event.moves.items()},
                         "scores": event.scores, "state": event.frame}
                self._frame(frame)
                self.movelog.write_json_line({"judge": True, "turn": event.turn, "judge_s": round(event.judge_s, 7)})
                # A turn is on disk as soon as it is played: a judge killed later loses nothing before it.
                self.replay.stream.flush()
                self.movelog.stream.flush()
            case SeatFaulted(seat=seat, name=name, fault=fault):
                self.errorlog.write_json_line({"seat": seat, "bot": name, **fault.to_json()})
                self.errorlog.stream.flush()
            case MatchEnded():
                pass

    def initial_frame(self, frame: dict[str, Any], scores: list[float]) -> None:
        self._frame({"turn": None, "moves": {}, "scores": scores, "state": frame})

    def _frame(self, frame: dict[str, Any]) -> None:
        prefix = ",\n" if self._frames else ""
        self.replay.stream.write(prefix + json.dumps(frame, separators=(",", ":"), default=str))
        self._frames += 1

    def commit(self, result: dict[str, Any]) -> dict[str, str]:
        """Finish every record and commit it to out/; returns kind -> committed path."""
        if self.replay.stream.tell() == 0:       # the match never started: still a valid replay
            self.replay.stream.write('{"header":null,"frames":[\n')
        self.replay.stream.write("\n]}\n")
        paths = {"replay": self.replay.commit(), "movelog": self.movelog.commit(), "errorlog": self.errorlog.commit()}
        for seat, (bot, text) in sorted(self.debug.items()):
            debug = RecordFile(self.spec.commit.debuglogs / self._name("debuglog", seat=seat, bot=bot))
            debug.stream.write(text)
            paths[f"debuglog.{seat}"] = debug.commit()
        records = {kind: str(path) for kind, path in paths.items()}
        summary = RecordFile(self.spec.commit.results / self._name("result"))
        summary.stream.write(json.dumps({**result, "records": records}, indent=2, default=str) + "\n")
        records["result"] = str(summary.commit())
        return records
