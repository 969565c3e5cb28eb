"""ViTPose: images of the backbone's fixed size (a person cropped by its image processor) in; keypoint heatmaps
out. No preprocessor."""

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..config import OnnxConfig, VisionOnnxConfig
from ..utils import compute_effective_axis_dimension


class VitPoseOnnxConfig(VisionOnnxConfig):
    """ViTPose: `pixel_values` of the size its position embeddings were trained at, and for ViTPose+ (a backbone of
    several experts) the `dataset_index` choosing each image's expert.

    Its image processor crops to the person boxes it is given, so the dummy images are made from the model's config
    instead (noise, seeded by the batch size).
    """

    needs_preprocessor = False

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        inputs = OrderedDict({"pixel_values": {0: "batch"}})
        if self._config.backbone_config.num_experts > 1:
            inputs["dataset_index"] = {0: "batch"}
        return inputs

    def generate_dummy_inputs(
        self, preprocessor=None, batch_size: int = -1, framework=None, **kwargs
    ) -> Mapping[str, Any]:
        from transformers import BatchEncoding

        backbone = self._config.backbone_config
        batch = compute_effective_axis_dimension(batch_size, fixed_dimension=OnnxConfig.default_fixed_batch)
        height, width = np.broadcast_to(backbone.image_size, 2)
        rng = np.random.default_rng(batch)
        inputs = {"pixel_values": rng.standard_normal((batch, backbone.num_channels, height, width), dtype=np.float32)}
        if "dataset_index" in self.inputs:
            inputs["dataset_index"] = rng.integers(0, backbone.num_experts, batch)
        return dict(BatchEncoding(inputs, tensor_type=framework))
