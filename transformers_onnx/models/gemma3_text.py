"""Gemma 3 (text-only model): the base decoder, with sliding-window and global layers."""

from ..config import DecoderOnnxConfig


class Gemma3TextOnnxConfig(DecoderOnnxConfig):
    """Gemma 3 text as the base decoder config exports it."""
