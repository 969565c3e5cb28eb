"""RoBERTa: token ids and attention mask (no token type ids)."""

from ..config import TOKENS_AND_MASK, TextEncoderOnnxConfig


class RobertaOnnxConfig(TextEncoderOnnxConfig):
    """RoBERTa: no token type ids."""

    text_inputs = TOKENS_AND_MASK
