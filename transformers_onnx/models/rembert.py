"""RemBERT: token ids, attention mask and token type ids, at a looser tolerance."""

from ..config import TextEncoderOnnxConfig


class RemBertOnnxConfig(TextEncoderOnnxConfig):
    """RemBERT: its wide output embeddings need atol 1e-4."""

    @property
    def atol_for_validation(self) -> float:
        return 1e-4
