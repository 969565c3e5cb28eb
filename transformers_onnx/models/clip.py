"""CLIP: token ids, pixel values and attention mask through its processor; similarity logits and embeddings out.
Image classification runs the vision tower alone (pixel values in, logits out), and so does `clip_vision_model`
(CLIPVisionModel), which returns the last hidden state and the pooled output."""

from collections import OrderedDict

from ..config import IMAGE_AXES, MultimodalOnnxConfig, OnnxConfig, VisionOnnxConfig


class CLIPOnnxConfig(MultimodalOnnxConfig):
    """CLIP as the base text-image config exports it; `image-classification` takes `pixel_values` alone (MetaCLIP 2
    too)."""

    @property
    def inputs(self):
        if self.task == "image-classification":
            return OrderedDict({"pixel_values": dict(IMAGE_AXES["pixel_values"])})
        return super().inputs

    @property
    def outputs(self):
        if self.task == "image-classification":
            return OnnxConfig.outputs.fget(self)
        return super().outputs


class CLIPVisionModelOnnxConfig(VisionOnnxConfig):
    """CLIP's vision tower alone (SigLIP's too): `last_hidden_state` and `pooler_output`."""

    pooled_outputs = True
