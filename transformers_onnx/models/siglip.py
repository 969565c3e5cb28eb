"""SigLIP: token ids and pixel values; similarity logits and embeddings out. Its text tower was trained on text padded
to `max_length` with no attention mask (its tokenizer returns none) and pools the last position, so the graph takes
none either: give it the ids as its processor pads them (`padding="max_length"`). `siglip_vision_model`
(SiglipVisionModel) returns the last hidden state and the pooled output."""

from collections import OrderedDict

from ..config import IMAGE_AXES, MultimodalOnnxConfig
from .clip import CLIPVisionModelOnnxConfig


class SiglipOnnxConfig(MultimodalOnnxConfig):
    """SigLIP: `input_ids` and `pixel_values`, no attention mask."""

    @property
    def inputs(self):
        return OrderedDict(
            [("input_ids", {0: "batch", 1: "sequence"}), ("pixel_values", dict(IMAGE_AXES["pixel_values"]))]
        )


class SiglipVisionModelOnnxConfig(CLIPVisionModelOnnxConfig):
    """SigLIP's vision tower alone: as CLIP's, from opset 13 (its attention-pooling head unflattens its heads)."""

    default_onnx_opset = 13
