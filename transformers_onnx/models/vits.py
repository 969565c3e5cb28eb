"""VITS: text to waveform in one graph."""

from collections import OrderedDict
from collections.abc import Mapping

from ..config import TOKENS_AND_MASK, TextEncoderOnnxConfig


class VitsOnnxConfig(TextEncoderOnnxConfig):
    """VITS: `input_ids` and `attention_mask` in; the `waveform` (batch, samples) and the `spectrogram` (batch,
    channels, frames) it is made from out, their lengths predicted by the model from the tokens' durations (with
    `noise_scale` and `noise_scale_duration` of 0 the graph gives PyTorch's output; else both draw noise)."""

    text_inputs = TOKENS_AND_MASK
    atol_for_validation = 1e-4

    @property
    def outputs(self) -> Mapping[str, Mapping[int, str]]:
        return OrderedDict({"waveform": {0: "batch", 1: "samples"}, "spectrogram": {0: "batch", 2: "frames"}})
