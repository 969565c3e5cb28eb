"""ModernBERT: token ids and attention mask (no token type ids).

The export loads every model with eager attention, so ModernBERT runs its padded path: global and sliding-window
layers masked by the attention mask, never the flash-attention path of transformers 4 that unpads the batch.
"""

from ..config import TOKENS_AND_MASK, TextEncoderOnnxConfig


class ModernBertOnnxConfig(TextEncoderOnnxConfig):
    """ModernBERT: no token type ids."""

    text_inputs = TOKENS_AND_MASK
