"""ALBERT: token ids, attention mask and token type ids."""

from ..config import TextEncoderOnnxConfig


class AlbertOnnxConfig(TextEncoderOnnxConfig):
    """ALBERT as the base text encoder exports it."""
