"""Phi: the base decoder, with partial rotary embeddings."""

from ..config import DecoderOnnxConfig


class PhiOnnxConfig(DecoderOnnxConfig):
    """Phi as the base decoder config exports it."""
