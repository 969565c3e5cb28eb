"""SAM: an image and point prompts in; per prompt three candidate masks and their predicted IoU out; opset 13. No
preprocessor."""

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..config import OnnxConfig
from ..utils import compute_effective_axis_dimension

_POINT_AXES = {0: "batch", 1: "point_batch", 2: "num_points"}


class SamOnnxConfig(OnnxConfig):
    """SAM as one graph (optimum's "monolith" variant): `pixel_values` of the vision encoder's fixed size,
    `input_points` (batch, point_batch, num_points, 2) in that image's pixels and their `input_labels` (1: in the
    object, 0: not, -1: padding); `iou_scores` (batch, point_batch, 3) and the low-resolution `pred_masks`
    (batch, point_batch, 3, height / 4, width / 4).

    The dummy inputs are made from the model's config: a noise image and `seq_length` random points per prompt,
    two prompts per image, seeded by their shape.
    """

    needs_preprocessor = False
    atol_for_validation = 1e-4
    default_onnx_opset = 13  # einsum, and repeat_interleave over the dynamic point batch

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        return OrderedDict(
            [
                ("pixel_values", {0: "batch"}),
                ("input_points", dict(_POINT_AXES)),
                ("input_labels", dict(_POINT_AXES)),
            ]
        )

    @property
    def outputs(self) -> Mapping[str, Mapping[int, str]]:
        return OrderedDict((name, {0: "batch", 1: "point_batch"}) for name in ("iou_scores", "pred_masks"))

    def generate_dummy_inputs(
        self, preprocessor=None, batch_size: int = -1, seq_length: int = -1, framework=None, **kwargs
    ) -> Mapping[str, Any]:
        from transformers import BatchEncoding

        vision = self._config.vision_config
        batch = compute_effective_axis_dimension(batch_size, fixed_dimension=OnnxConfig.default_fixed_batch)
        points = compute_effective_axis_dimension(seq_length, fixed_dimension=OnnxConfig.default_fixed_sequence)
        rng = np.random.default_rng(batch * 1000 + points)
        prompts, size = (batch, 2, points), vision.image_size
        inputs = {
            "pixel_values": rng.standard_normal((batch, vision.num_channels, size, size), dtype=np.float32),
            "input_points": (rng.random((*prompts, 2)) * size).astype(np.float32),
            "input_labels": rng.integers(0, 2, prompts),
        }
        return dict(BatchEncoding(inputs, tensor_type=framework))
