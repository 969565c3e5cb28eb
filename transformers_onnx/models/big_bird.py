"""BigBird: token ids and attention mask (no token type ids)."""

from ..config import TOKENS_AND_MASK, TextEncoderOnnxConfig


class BigBirdOnnxConfig(TextEncoderOnnxConfig):
    """BigBird: no token type ids."""

    text_inputs = TOKENS_AND_MASK
