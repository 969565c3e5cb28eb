"""XLM: token ids, attention mask and token type ids."""

from ..config import TextEncoderOnnxConfig


class XLMOnnxConfig(TextEncoderOnnxConfig):
    """XLM as the base text encoder exports it."""
