"""BERT: token ids, attention mask and token type ids."""

from ..config import TextEncoderOnnxConfig


class BertOnnxConfig(TextEncoderOnnxConfig):
    """BERT as the base text encoder exports it."""
