"""ELECTRA: token ids, attention mask and token type ids."""

from ..config import TextEncoderOnnxConfig


class ElectraOnnxConfig(TextEncoderOnnxConfig):
    """ELECTRA as the base text encoder exports it."""
