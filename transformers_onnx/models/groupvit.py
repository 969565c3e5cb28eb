"""GroupViT: token ids, pixel values and attention mask through its processor; similarity logits and embeddings out."""

from ..config import MultimodalOnnxConfig


class GroupViTOnnxConfig(MultimodalOnnxConfig):
    """GroupViT as the base text-image config exports it."""
