"""Find a game by name: a built-in name or a third-party "package.module:ClassName".

One game per module, imported only when asked for (DMOJ finds its executors
the same way), so a broken third-party game cannot stop the judge from
starting and importing `terra` stays cheap.
"""
from __future__ import annotations

import importlib
import inspect
import logging
import os
import sys
from types import ModuleType

from ..errors import ConfigError
from .base import Game

log = logging.getLogger(__name__)

BUILTIN_GAMES: dict[str, str] = {
    "connect4": "phoenix_judge.games.connect4:ConnectFour",
    "phoenix": "phoenix_judge.games.phoenix:PhoenixGame",
}


def game_names() -> list[str]:
    """The names of the built-in games, sorted."""
    return sorted(BUILTIN_GAMES)


def get_game(name: str, *, where: str = "game") -> Game:
    """The game called `name`: a built-in name or "package.module:ClassName" (a terra.Game subclass).

    Raises ConfigError naming `where` (e.g. "game_config.json: $.game") when the
    name is unknown, the module does not import, or the class is not a Game.
    """
    target = BUILTIN_GAMES.get(name, name)
    module_name, colon, class_name = target.partition(":")
    if not colon or not module_name or not class_name:
        raise ConfigError(where, f"unknown game {name!r}", _known_names_fix())
    cls = getattr(_import_module(module_name, name, where), class_name, None)
    if cls is None:
        raise ConfigError(where, f"module {module_name!r} has no class {class_name!r}",
                          "check the spelling of the class name after the colon")
    if not (inspect.isclass(cls) and issubclass(cls, Game)):
        raise ConfigError(where, f"{target!r} is not a game class (a subclass of phoenix_judge.terra.Game)",
                          "point at a class that subclasses phoenix_judge.terra.Game; see docs/terra.md")
    if inspect.isabstract(cls):
        missing = ", ".join(sorted(cls.__abstractmethods__))
        raise ConfigError(where, f"game class {target!r} does not implement {missing}",
                          "implement every abstract method of phoenix_judge.terra.Game; see docs/terra.md")
    return cls()


def _known_names_fix() -> str:
    names = ", ".join(game_names())
    return f"use one of the built-in games ({names}) or a third-party game as \"package.module:ClassName\""


def _import_module(module_name: str, name: str, where: str) -> ModuleType:
    # A third-party game usually lives in the organiser's working directory; look
    # there last, so an installed package of the same name still wins.
    cwd = os.getcwd()
    if cwd not in sys.path:
        sys.path.append(cwd)
    try:
        return importlib.import_module(module_name)
    except ImportError as exc:
        log.debug("importing %s failed", module_name, exc_info=True)
        raise ConfigError(where, f"cannot import the module of game {name!r}: {exc}",
                          "install the game's package or run from the folder that contains it; "
                          + _known_names_fix()) from exc
    except Exception as exc:  # the game's own module failed while importing: its author's bug
        log.debug("importing %s failed", module_name, exc_info=True)
        raise ConfigError(where, f"importing the module of game {name!r} failed: {type(exc).__name__}: {exc}",
                          "fix the error in the game's module (run `python -c 'import "
                          f"{module_name}'` to see the traceback)") from exc
