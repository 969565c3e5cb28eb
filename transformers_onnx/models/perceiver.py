"""Perceiver: one `inputs` tensor (token ids, or pixel values for image classification) and, for text, a mask."""

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from ..config import IMAGE_AXES, OnnxConfig


class PerceiverOnnxConfig(OnnxConfig):
    """Perceiver: the preprocessor's `input_ids` or `pixel_values` go in as `inputs`."""

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        if self.task == "image-classification":
            return OrderedDict([("inputs", dict(IMAGE_AXES["pixel_values"]))])
        return OrderedDict((name, {0: "batch", 1: "sequence"}) for name in ("inputs", "attention_mask"))

    atol_for_validation = 1e-4

    def generate_dummy_inputs(self, preprocessor, *args, **kwargs) -> Mapping[str, Any]:
        inputs = super().generate_dummy_inputs(preprocessor, *args, **kwargs)
        inputs["inputs"] = inputs.pop("pixel_values" if self.task == "image-classification" else "input_ids")
        return self.declared_inputs(inputs)
