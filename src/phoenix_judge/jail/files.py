"""Walking a bot's folder safely: iteratively (a bot may nest directories deeper than
Python's recursion limit; os.walk in 3.11 recurses), never following symlinks, and
bounded (a bot may create millions of entries)."""
from __future__ import annotations

import os
from collections.abc import Iterator

MAX_ENTRIES = 100_000


def entries(folder: str, limit: int = MAX_ENTRIES) -> Iterator[os.DirEntry[str]]:
    """Every entry below `folder` (not `folder` itself), at most `limit` of them."""
    stack, seen = [folder], 0
    while stack:
        try:
            with os.scandir(stack.pop()) as listing:
                for entry in listing:
                    seen += 1
                    if seen > limit:
                        return
                    yield entry
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
        except OSError:
            continue
