#!/usr/bin/env python3
"""Phoenix, random: every cell turns by a random angle; now and then one splits.

Seeded from the match seed and its seat, so replaying a match repeats its moves.
"""
from __future__ import annotations

import random
from typing import Any

_TURN = 40.0            # degrees either way
_SPLIT_CHANCE = 0.01
_rng = random.Random()


def choose(observation: dict[str, Any], rng: random.Random) -> list[dict[str, Any]]:
    """One action per own cell: a random turn, sometimes a split."""
    return [{"childno": cell["childno"], "relativeangle": round(rng.uniform(-_TURN, _TURN), 1),
             "split": rng.random() < _SPLIT_CHANCE}
            for cell in observation["cells"]]


def setup(hello: dict[str, Any]) -> None:
    _rng.seed(f"{hello.get('seed', 0)}/{hello.get('seat', 0)}")


def main() -> None:
    import sky  # copied next to this file in the arena; imported here so tests can load choose() alone

    sky.run(lambda observation, hello: choose(observation, _rng), name="phoenix_random", setup=setup)


if __name__ == "__main__":
    main()
