"""LayoutLM: the BERT inputs plus one bounding box per token."""

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..config import TextEncoderOnnxConfig, array_like

#: The box given to every dummy token: (x0, y0, x1, y1) on LayoutLM's 0–1000 page scale.
DUMMY_BOX = (48, 84, 73, 128)


class LayoutLMOnnxConfig(TextEncoderOnnxConfig):
    """LayoutLM: also takes `bbox` (batch, sequence, 4)."""

    text_inputs = ("input_ids", "bbox", "attention_mask", "token_type_ids")

    def generate_dummy_inputs(self, preprocessor, *args, **kwargs) -> Mapping[str, Any]:
        inputs = super().generate_dummy_inputs(preprocessor, *args, **kwargs)
        boxes = np.broadcast_to(np.array(DUMMY_BOX, dtype=np.int64), (*np.shape(inputs["input_ids"]), 4))
        inputs["bbox"] = array_like(boxes, inputs["input_ids"])
        return self.declared_inputs(inputs)
