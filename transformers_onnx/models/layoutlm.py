"""LayoutLM: the BERT inputs plus one bounding box per token."""

from collections.abc import Mapping
from typing import Any

from ..config import TextEncoderOnnxConfig

#: The box given to every dummy token: (x0, y0, x1, y1) on LayoutLM's 0–1000 page scale.
DUMMY_BOX = (48, 84, 73, 128)


class LayoutLMOnnxConfig(TextEncoderOnnxConfig):
    """LayoutLM: also takes `bbox` (batch, sequence, 4)."""

    text_inputs = ("input_ids", "bbox", "attention_mask", "token_type_ids")

    def generate_dummy_inputs(self, preprocessor, *args, **kwargs) -> Mapping[str, Any]:
        import torch

        inputs = super().generate_dummy_inputs(preprocessor, *args, **kwargs)
        inputs["bbox"] = torch.tensor(DUMMY_BOX).expand(*inputs["input_ids"].shape, 4)
        return self.declared_inputs(inputs)
