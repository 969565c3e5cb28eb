"""Mixtral: the base decoder, with mixture-of-experts feed-forward layers."""

from ..config import DecoderOnnxConfig


class MixtralOnnxConfig(DecoderOnnxConfig):
    """Mixtral as the base decoder config exports it."""
