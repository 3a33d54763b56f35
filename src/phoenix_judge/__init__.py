"""Phoenix: a sandboxed judge for bot-vs-bot games."""

__version__ = "0.1.0"
