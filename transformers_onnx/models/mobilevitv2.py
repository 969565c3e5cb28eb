"""MobileViTV2: pixel values; the default feature also returns the pooled output.

Its layers fold patches back into feature maps with `torch.nn.functional.fold`, which torch's exporter
turns into `Col2Im` (opset 18) and cannot export when the output size comes from traced shapes. Its
patches do not overlap, so the export folds them with a reshape instead.
"""

from ..config import Patch, VisionOnnxConfig


def _fold_by_reshape(layer, patches, output_size):
    """`MobileViTV2Layer.folding` for non-overlapping patches: (batch, channels, patch pixels, patches) → map."""
    batch_size, channels = patches.shape[:2]
    height, width = output_size
    grid = (layer.patch_height, layer.patch_width, height // layer.patch_height, width // layer.patch_width)
    patches = patches.reshape(batch_size, channels, *grid)
    return patches.permute(0, 1, 4, 2, 5, 3).reshape(batch_size, channels, height, width)


class MobileViTV2OnnxConfig(VisionOnnxConfig):
    """MobileViTV2: `last_hidden_state` and `pooler_output` by default; folding patched to a reshape."""

    pooled_outputs = True
    patches = (Patch("transformers.models.mobilevitv2.modeling_mobilevitv2:MobileViTV2Layer.folding", _fold_by_reshape),)
