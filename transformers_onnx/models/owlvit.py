"""OWL-ViT: token ids, pixel values and attention mask through its processor; similarity logits and embeddings out."""

from ..config import MultimodalOnnxConfig


class OwlViTOnnxConfig(MultimodalOnnxConfig):
    """OWL-ViT as the base text-image config exports it."""
