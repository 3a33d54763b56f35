#!/usr/bin/env python3
"""Connect Four, random: drops its piece into a random legal column.

Seeded from the match seed and its seat, so replaying a match repeats its moves.
"""
from __future__ import annotations

import random
from typing import Any

_rng = random.Random()


def choose(observation: dict[str, Any], rng: random.Random) -> int:
    """A random column from the legal ones."""
    return rng.choice(observation["legal"])


def setup(hello: dict[str, Any]) -> None:
    _rng.seed(f"{hello.get('seed', 0)}/{hello.get('seat', 0)}")


def main() -> None:
    import sky  # copied next to this file in the arena; imported here so tests can load choose() alone

    sky.run(lambda observation, hello: choose(observation, _rng), name="connect4_random", setup=setup)


if __name__ == "__main__":
    main()
