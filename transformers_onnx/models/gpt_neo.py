"""GPT-Neo: the base decoder (its global and local attention layers share one cache layout)."""

from ..config import DecoderOnnxConfig


class GPTNeoOnnxConfig(DecoderOnnxConfig):
    """GPT-Neo as the base decoder config exports it."""
