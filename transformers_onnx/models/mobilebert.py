"""MobileBERT: token ids, attention mask and token type ids."""

from ..config import TextEncoderOnnxConfig


class MobileBertOnnxConfig(TextEncoderOnnxConfig):
    """MobileBERT as the base text encoder exports it."""
