"""GPT-NeoX: the base decoder, with partial rotary embeddings."""

from ..config import DecoderOnnxConfig


class GPTNeoXOnnxConfig(DecoderOnnxConfig):
    """GPT-NeoX as the base decoder config exports it."""
