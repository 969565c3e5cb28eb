"""Mistral: the base decoder, with grouped-query and sliding-window attention."""

from ..config import DecoderOnnxConfig


class MistralOnnxConfig(DecoderOnnxConfig):
    """Mistral as the base decoder config exports it."""
