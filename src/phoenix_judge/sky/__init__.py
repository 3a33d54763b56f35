"""sky: the bot protocol (newline-delimited JSON over pipes) and the channel interface.

framing   size-limited lines from a non-blocking fd; encoding
messages  build the engine's messages, parse and check the bot's
channel   the Channel interface the gameloop talks to, and `collect`
pipe      PipeChannel: sky over a local bot's stdin/stdout/stderr
debuglog  DebugLog: a bot's stderr, capped
"""
from .channel import Channel, MoveLogSink, Reply, collect
from .debuglog import DebugLog
from .messages import SKY_VERSION
from .pipe import PipeChannel

__all__ = ["SKY_VERSION", "Channel", "DebugLog", "MoveLogSink", "PipeChannel", "Reply", "collect"]
