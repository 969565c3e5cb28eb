"""StableLM: the base decoder, with partial rotary embeddings."""

from ..config import DecoderOnnxConfig


class StableLmOnnxConfig(DecoderOnnxConfig):
    """StableLM as the base decoder config exports it."""
