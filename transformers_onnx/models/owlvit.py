"""OWL-ViT and OWLv2: token ids, pixel values and attention mask through their processor; similarity logits and
embeddings out, or for zero-shot object detection per patch a box and its logits for each text query."""

from collections import OrderedDict
from collections.abc import Mapping

from ..config import IMAGE_AXES, MultimodalOnnxConfig


class OwlViTOnnxConfig(MultimodalOnnxConfig):
    """OWL-ViT and OWLv2. Zero-shot object detection takes the text queries of all images as one batch of token
    ids, image after image (`text_batch`: as many queries for every image), and returns per image and patch the
    logits of each query and a box."""

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        if self.task != "zero-shot-object-detection":
            return super().inputs
        text_axes = {0: "text_batch", 1: "sequence"}
        return OrderedDict(
            [
                ("input_ids", dict(text_axes)),
                ("pixel_values", dict(IMAGE_AXES["pixel_values"])),
                ("attention_mask", dict(text_axes)),
            ]
        )

    @property
    def outputs(self) -> Mapping[str, Mapping[int, str]]:
        if self.task != "zero-shot-object-detection":
            return super().outputs
        return OrderedDict(
            {
                "logits": {0: "batch", 2: "num_queries"},
                "pred_boxes": {0: "batch"},
                "text_embeds": {0: "batch", 1: "num_queries"},
                "image_embeds": {0: "batch"},
            }
        )
