"""Phi-3: the base decoder, with fused projections."""

from ..config import DecoderOnnxConfig


class Phi3OnnxConfig(DecoderOnnxConfig):
    """Phi-3 as the base decoder config exports it."""
