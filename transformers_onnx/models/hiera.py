"""Hiera: pixel values; the default feature also returns the pooled output."""

from ..config import VisionOnnxConfig


class HieraOnnxConfig(VisionOnnxConfig):
    """Hiera: `last_hidden_state` and `pooler_output` by default (images of the configured size only: its position
    embeddings are not interpolated)."""

    pooled_outputs = True
