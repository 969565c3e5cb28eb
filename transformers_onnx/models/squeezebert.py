"""SqueezeBERT: token ids, attention mask and token type ids."""

from ..config import TextEncoderOnnxConfig


class SqueezeBertOnnxConfig(TextEncoderOnnxConfig):
    """SqueezeBERT as the base text encoder exports it."""
