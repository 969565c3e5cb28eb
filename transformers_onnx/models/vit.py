"""ViT: pixel values; masked image modeling returns the `reconstruction` of the image."""

from collections import OrderedDict

from ..config import VisionOnnxConfig


class ViTOnnxConfig(VisionOnnxConfig):
    """ViT as the base vision config exports it; `masked-im` returns `reconstruction` (batch, channels, height,
    width), the field transformers' `MaskedImageModelingOutput` has (the legacy `logits` is no output of it)."""

    @property
    def outputs(self):
        if self.task == "masked-im":
            return OrderedDict({"reconstruction": {0: "batch", 1: "num_channels", 2: "height", 3: "width"}})
        return super().outputs
