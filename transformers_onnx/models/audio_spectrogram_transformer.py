"""Audio Spectrogram Transformer: a ViT over a log-mel spectrogram of a fixed number of frames."""

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..config import OnnxConfig, _tensor_type
from ..utils import compute_effective_axis_dimension


class ASTOnnxConfig(OnnxConfig):
    """AST: `input_values` (batch, max_length frames, num_mel_bins), as `ASTFeatureExtractor` pads or cuts every
    clip. The model's position embeddings fix the frames to the config's `max_length`: only the batch is dynamic,
    in the inputs and the outputs. The dummy spectrograms are noise of that shape, made without a preprocessor.
    """

    needs_preprocessor = False
    atol_for_validation = 1e-4

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        return OrderedDict({"input_values": {0: "batch"}})

    @property
    def outputs(self) -> Mapping[str, Mapping[int, str]]:
        return OrderedDict((name, {0: "batch"}) for name in super().outputs)

    def generate_dummy_inputs(
        self, preprocessor=None, batch_size: int = -1, framework=None, **kwargs
    ) -> Mapping[str, Any]:
        from transformers import BatchEncoding

        batch_size = compute_effective_axis_dimension(batch_size, fixed_dimension=OnnxConfig.default_fixed_batch)
        shape = (batch_size, self._config.max_length, self._config.num_mel_bins)
        spectrogram = np.random.default_rng(batch_size).standard_normal(shape, dtype=np.float32)
        return dict(BatchEncoding({"input_values": spectrogram}, tensor_type=_tensor_type(framework)))
