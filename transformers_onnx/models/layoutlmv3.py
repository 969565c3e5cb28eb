"""LayoutLMv3: token ids, boxes, attention mask and the page image, all made by its processor."""

import copy
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from ..config import IMAGE_AXES, OnnxConfig, _tensor_type
from ..utils import compute_effective_axis_dimension
from .layoutlm import DUMMY_BOX


class LayoutLMv3OnnxConfig(OnnxConfig):
    """LayoutLMv3: the processor runs with OCR off, on one dummy word per page and its box; opset 12."""

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        sequence = {0: "batch", 1: "sequence"}
        return OrderedDict(
            [
                ("input_ids", dict(sequence)),
                ("bbox", dict(sequence)),
                ("attention_mask", dict(sequence)),
                ("pixel_values", dict(IMAGE_AXES["pixel_values"])),
            ]
        )

    default_onnx_opset = 12

    def generate_dummy_inputs(
        self,
        preprocessor,
        batch_size: int = -1,
        seq_length: int = -1,
        is_pair: bool = False,
        framework=None,
        num_channels: int = 3,
        image_width: int = 40,
        image_height: int = 40,
        **kwargs,
    ) -> Mapping[str, Any]:
        processor = copy.copy(preprocessor)
        processor.image_processor = copy.copy(preprocessor.image_processor)
        processor.image_processor.apply_ocr = False
        batch_size = compute_effective_axis_dimension(batch_size, OnnxConfig.default_fixed_batch)
        seq_length = compute_effective_axis_dimension(
            seq_length, OnnxConfig.default_fixed_sequence, processor.tokenizer.num_special_tokens_to_add(is_pair)
        )
        words = [[processor.tokenizer.unk_token * seq_length]] * batch_size
        boxes = [[list(DUMMY_BOX)]] * batch_size
        images = self._generate_dummy_images(batch_size, num_channels, image_height, image_width)
        return dict(processor(images, text=words, boxes=boxes, return_tensors=_tensor_type(framework)))
