"""ConvBERT: token ids, attention mask and token type ids."""

from ..config import TextEncoderOnnxConfig


class ConvBertOnnxConfig(TextEncoderOnnxConfig):
    """ConvBERT as the base text encoder exports it."""
