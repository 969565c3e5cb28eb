"""MobileViT: pixel values; the default feature also returns the pooled output."""

from ..config import VisionOnnxConfig


class MobileViTOnnxConfig(VisionOnnxConfig):
    """MobileViT: `last_hidden_state` and `pooler_output` by default."""

    @property
    def pooled_outputs(self) -> bool:
        """Semantic segmentation returns the per-pixel logits only."""
        return self.task != "semantic-segmentation"
