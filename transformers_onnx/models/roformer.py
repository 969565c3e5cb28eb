"""RoFormer: token ids, attention mask and token type ids."""

from ..config import TextEncoderOnnxConfig


class RoFormerOnnxConfig(TextEncoderOnnxConfig):
    """RoFormer as the base text encoder exports it."""
