"""sky: the bot protocol (newline-delimited JSON over pipes) and the channel interface."""
from .channel import Channel, Reply, collect

__all__ = ["Channel", "Reply", "collect"]
