"""ViT-MAE: pixel values and the `noise` that picks the patches kept; the kept patches' hidden states, the mask and
the order that restores the patches out.

`ViTMAEModel` keeps a random `1 - mask_ratio` share of the patches: those of the lowest noise, drawn with `torch.rand`
when none is given, which a graph would freeze or draw anew at each run. The graph takes the noise as an input
instead, (batch, patches) uniform in [0, 1), so that its outputs are the model's for the same noise and can be
validated. With a checkpoint saved with `mask_ratio=0`, noise increasing along the patches (`arange`) keeps every patch
in order: the encoder's features of the whole image.
"""

from collections import OrderedDict

import numpy as np

from ..config import IMAGE_AXES, OnnxConfig, VisionOnnxConfig, array_like


class ViTMAEOnnxConfig(VisionOnnxConfig):
    """ViT-MAE: `pixel_values` and `noise` in; `last_hidden_state`, `mask` and `ids_restore` out."""

    @property
    def inputs(self):
        return OrderedDict([("pixel_values", dict(IMAGE_AXES["pixel_values"])), ("noise", {0: "batch"})])

    @property
    def outputs(self):
        return OrderedDict((name, {0: "batch"}) for name in ("last_hidden_state", "mask", "ids_restore"))

    def generate_dummy_inputs(self, preprocessor, *args, **kwargs):
        """The image processor's pixel values and seeded uniform noise, one value per patch of those images."""
        inputs = dict(OnnxConfig.generate_dummy_inputs(self, preprocessor, *args, **kwargs))
        pixel_values = inputs["pixel_values"]
        batch, _, height, width = pixel_values.shape
        patches = (height // self._config.patch_size) * (width // self._config.patch_size)
        noise = np.random.default_rng(batch).random((batch, patches), dtype=np.float32)
        inputs["noise"] = array_like(noise, pixel_values)
        return self.declared_inputs(inputs)
