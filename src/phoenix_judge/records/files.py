"""Record files: written as `.NAME.partial` beside their final name, committed by hard link.

A link never replaces an existing file, so a committed record is never
overwritten; a partial file left by a killed judge stays on disk for inspection.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, TextIO

from ..errors import JudgeError


class RecordFile:
    """One record being written; `commit()` gives it its final name."""

    def __init__(self, final: Path) -> None:
        self.final = final
        self.partial = final.with_name(f".{final.name}.partial")
        try:
            self.stream: TextIO = open(self.partial, "x", encoding="utf-8")
        except OSError as exc:
            raise JudgeError(f"cannot create record {self.partial}: {exc.strerror}") from exc

    def write_json_line(self, data: Any) -> None:
        self.stream.write(json.dumps(data, separators=(",", ":"), default=str) + "\n")

    def commit(self) -> Path:
        """Close, then link to the final name (or the first free `NAME.N`); returns the committed path."""
        if not self.stream.closed:
            self.stream.close()
        target = _link_unique(self.partial, self.final)
        os.unlink(self.partial)
        return target


def _link_unique(source: Path, final: Path) -> Path:
    for attempt in range(1000):
        target = final if attempt == 0 else final.with_name(f"{final.stem}.{attempt}{final.suffix}")
        try:
            os.link(source, target)
            return target
        except FileExistsError:
            continue
        except OSError as exc:
            raise JudgeError(f"cannot commit record {target}: {exc.strerror}") from exc
    raise JudgeError(f"cannot commit record {final}: 1000 files of that name exist")
