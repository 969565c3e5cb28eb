"""RemBERT: token ids, attention mask and token type ids, at a looser tolerance."""

from ..config import TextEncoderOnnxConfig


class RemBertOnnxConfig(TextEncoderOnnxConfig):
    """RemBERT: its wide output embeddings need atol 1e-4."""

    atol_for_validation = 1e-4
