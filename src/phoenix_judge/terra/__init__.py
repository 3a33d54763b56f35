"""terra: the game interface, the registry of games and the conformance check."""
from .base import Game, Move, Observation, State
from .check import check_game
from .maps import load_map, map_error, validate_map
from .registry import BUILTIN_GAMES, game_names, get_game
from .report import CHECKS, CheckReport, CheckResult

__all__ = [
    "BUILTIN_GAMES", "CHECKS", "CheckReport", "CheckResult", "Game", "Move", "Observation", "State",
    "check_game", "game_names", "get_game", "load_map", "map_error", "validate_map",
]
