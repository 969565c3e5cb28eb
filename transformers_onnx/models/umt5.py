"""UMT5: exported like mT5."""

from .mt5 import MT5OnnxConfig


class UMT5OnnxConfig(MT5OnnxConfig):
    """UMT5 as the mT5 config exports it."""
