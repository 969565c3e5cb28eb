"""I-BERT: token ids and attention mask (no token type ids)."""

from ..config import TOKENS_AND_MASK, TextEncoderOnnxConfig


class IBertOnnxConfig(TextEncoderOnnxConfig):
    """I-BERT: no token type ids."""

    text_inputs = TOKENS_AND_MASK
