"""LongT5: exported like T5."""

from .t5 import T5OnnxConfig


class LongT5OnnxConfig(T5OnnxConfig):
    """LongT5 as the T5 config exports it."""
