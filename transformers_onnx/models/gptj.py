"""GPT-J: the base decoder."""

from ..config import DecoderOnnxConfig


class GPTJOnnxConfig(DecoderOnnxConfig):
    """GPT-J as the base decoder config exports it."""
