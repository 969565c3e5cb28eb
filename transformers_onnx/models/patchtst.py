"""PatchTST and PatchTSMixer: a window of past values in; its encoding or the forecast out. No preprocessor."""

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..config import OnnxConfig, Patch
from ..utils import compute_effective_axis_dimension


def _dimension_from_the_front(unfold):
    """The TorchScript exporter's `unfold` puts the windows at the wrong axis when the dimension is counted from the
    end (the patchifier's `unfold(dimension=-2)` came out as (batch, patches, channels, ...) transposed): the same
    call with the dimension counted from the front."""

    def unfold_from_the_front(input, dimension, size, step):
        return unfold(input, dimension % input.dim(), size, step)

    return unfold_from_the_front


class PatchTSTOnnxConfig(OnnxConfig):
    """A time-series transformer taking `past_values` (batch, context_length, num_input_channels).

    The window is as long as the model's `context_length` (the patches are cut for that length): only the batch axis
    is dynamic. The dummy values are noise made from the model's config, seeded by the batch size.
    """

    needs_preprocessor = False
    atol_for_validation = 1e-4
    patches = (Patch("torch:Tensor.unfold", _dimension_from_the_front, wraps_original=True),)

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        return OrderedDict({"past_values": {0: "batch"}})

    @property
    def outputs(self) -> Mapping[str, Mapping[int, str]]:
        if self.task == "default":  # (batch, channels, patches, d_model)
            return OrderedDict({"last_hidden_state": {0: "batch"}})
        return super().outputs

    def generate_dummy_inputs(
        self, preprocessor=None, batch_size: int = -1, framework=None, **kwargs
    ) -> Mapping[str, Any]:
        from transformers import BatchEncoding

        batch = compute_effective_axis_dimension(batch_size, fixed_dimension=OnnxConfig.default_fixed_batch)
        shape = (batch, self._config.context_length, self._config.num_input_channels)
        past_values = np.random.default_rng(batch).standard_normal(shape, dtype=np.float32)
        return dict(BatchEncoding({"past_values": past_values}, tensor_type=framework))
