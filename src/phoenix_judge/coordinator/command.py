"""`python src serve CONFIG --host H --port N`: serve one game instance to remote agents until SIGINT/SIGTERM."""
from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from pathlib import Path

from ..errors import EXIT_OK, UserError
from .episode import Episode
from .lobby import Lobby
from .server import CoordinatorServer
from .settings import ServeConfig, load_serve_config
from .trajectory import TrajectoryLog

log = logging.getLogger(__name__)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("config", metavar="CONFIG", type=Path, help="serve config (JSON; see docs/coordinator.md)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=9000, help="TCP port (default 9000; 0 picks a free one)")


def run(args: argparse.Namespace) -> int:
    config = load_serve_config(args.config)
    # Fail now, not when the first agents have joined, if the game cannot start on this map.
    Episode(config.game, config.game_map, len(config.seats), set(), 0, config.seed)
    return asyncio.run(serve(config, args.host, args.port))


async def serve(config: ServeConfig, host: str, port: int) -> int:
    """Serve until SIGINT or SIGTERM, then say goodbye to every agent and return."""
    trajectories = TrajectoryLog(config.trajectories_dir) if config.trajectories_dir else None
    server = CoordinatorServer(Lobby(config, trajectories), config.limits)
    try:
        bound_host, bound_port = await server.start(host, port)
    except OSError as exc:
        raise UserError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    print(f"serving {config.game.name} on {bound_host}:{bound_port} ({_describe_seats(config)})", flush=True)
    await stop.wait()
    log.info("stopping: telling %d connected agents", len(server.connections))
    await server.stop()
    print("stopped", file=sys.stderr, flush=True)
    return EXIT_OK


def _describe_seats(config: ServeConfig) -> str:
    seats = [f"{seat.role or 'any role'}" + (" (random bot)" if seat.bot else "") for seat in config.seats]
    return f"seats: {', '.join(seats)}; {config.required_players} players required"
