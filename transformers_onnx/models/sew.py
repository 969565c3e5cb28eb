"""SEW and SEW-D: wav2vec2-like speech encoders whose transformer runs on frames pooled by `squeeze_factor`."""

from collections.abc import Mapping
from math import prod
from typing import Any

import numpy as np

from ..config import AudioOnnxConfig, _tensor_type


class SEWOnnxConfig(AudioOnnxConfig):
    """SEW and SEW-D (one graph): the raw waveform `input_values`, as wav2vec2.

    The encoder pools the frames by `squeeze_factor`, upsamples them back and pads the frames the pooling dropped,
    in a Python branch taken only when the frame count is not a multiple of `squeeze_factor`; the tracer keeps the
    padding only if the trace takes it. So the traced waveform (the one of the default sequence length) is made
    longer by whole frames until its frame count is not a multiple of `squeeze_factor`; the padding is then in the
    graph and pads nothing at other lengths. Opset 12: SEW-D's relative positions clip int64 tensors.
    """

    default_onnx_opset = 12

    def generate_dummy_inputs(
        self, preprocessor=None, batch_size: int = -1, seq_length: int = -1, framework=None, **kwargs
    ) -> Mapping[str, Any]:
        if seq_length > 0:
            return super().generate_dummy_inputs(preprocessor, batch_size, seq_length, framework)
        from transformers import BatchEncoding

        waveform = super().generate_dummy_inputs(preprocessor, batch_size, framework="np")["input_values"]
        extra, frame = 0, prod(self._config.conv_stride)
        while self._frames(waveform.shape[1] + extra) % self._config.squeeze_factor == 0:
            extra += frame
        waveform = np.pad(waveform, ((0, 0), (0, extra)), mode="wrap")
        return dict(BatchEncoding({"input_values": waveform}, tensor_type=_tensor_type(framework)))

    def _frames(self, samples: int) -> int:
        """The feature encoder's frames of a waveform of `samples`."""
        for kernel, stride in zip(self._config.conv_kernel, self._config.conv_stride):
            samples = (samples - kernel) // stride + 1
        return samples
