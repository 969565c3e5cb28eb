"""GPTBigCode (StarCoder): the base decoder; under multi-query attention the cache has one head."""

from ..config import DecoderOnnxConfig


class GPTBigCodeOnnxConfig(DecoderOnnxConfig):
    """GPTBigCode as the base decoder config exports it (its config gives `num_key_value_heads`)."""
