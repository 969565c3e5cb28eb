"""Granite: the base decoder, with scaled embeddings, residuals and logits."""

from ..config import DecoderOnnxConfig


class GraniteOnnxConfig(DecoderOnnxConfig):
    """Granite as the base decoder config exports it."""
