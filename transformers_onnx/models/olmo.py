"""OLMo: the base decoder."""

from ..config import DecoderOnnxConfig


class OlmoOnnxConfig(DecoderOnnxConfig):
    """OLMo as the base decoder config exports it."""
