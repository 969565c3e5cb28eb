"""MaskFormer: pixel values; per-query class logits and mask logits out; opset 12."""

from collections import OrderedDict
from collections.abc import Mapping

from ..config import VisionOnnxConfig


class MaskFormerOnnxConfig(VisionOnnxConfig):
    """MaskFormer: the base model returns the backbone's, the pixel decoder's and the transformer decoder's last
    hidden states; image segmentation returns per query the class logits and the mask logits (a quarter of the
    image's height and width), multiplied with an einsum (opset 12)."""

    default_onnx_opset = 12

    @property
    def outputs(self) -> Mapping[str, Mapping[int, str]]:
        if self.task == "image-segmentation":
            return OrderedDict(
                {
                    "class_queries_logits": {0: "batch"},
                    "masks_queries_logits": {0: "batch", 2: "mask_height", 3: "mask_width"},
                }
            )
        return OrderedDict(
            {
                "encoder_last_hidden_state": {0: "batch", 2: "feature_height", 3: "feature_width"},
                "pixel_decoder_last_hidden_state": {0: "batch", 2: "mask_height", 3: "mask_width"},
                "transformer_decoder_last_hidden_state": {0: "batch"},
            }
        )
