"""Moonshine: a raw-waveform encoder (three strided convolutions) and a decoder, as Speech2Text."""

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..config import Patch, PastLayout, Seq2SeqDecoderOnnxConfig, Seq2SeqEncoderOnnxConfig
from .speech_to_text import Speech2TextOnnxConfig

#: The samples per encoder position: the strides of the three convolutions.
_DOWNSAMPLING = 64 * 3 * 2


def _output_lengths(model: Any, input_lengths: Any) -> Any:
    """The encoder's positions for `input_lengths` samples in integer arithmetic, which the tracer keeps (transformers'
    `int()` froze the traced length into the graph)."""
    length = (input_lengths - 127) // 64 + 1
    length = (length - 7) // 3 + 1
    return (length - 3) // 2 + 1


def _interleave_by_stacking(original: Any) -> Any:
    """`Tensor.repeat_interleave` of an int count along a dimension as a stack: the exporter's own loses the rank of
    its result, which the rotary embedding then concatenates."""

    def repeat_interleave(tensor, repeats, dim=None, **kwargs):
        import torch

        if not isinstance(repeats, int) or dim is None or kwargs:
            return original(tensor, repeats, dim, **kwargs)
        dim %= tensor.dim()
        return torch.stack([tensor] * repeats, dim=dim + 1).flatten(dim, dim + 1)

    return repeat_interleave


#: The encoder downsamples its mask with `_get_feat_extract_output_lengths`; the rotary embedding interleaves its
#: frequencies with `repeat_interleave`.
_PATCHES = (
    Patch(
        "transformers.models.moonshine.modeling_moonshine:MoonshinePreTrainedModel._get_feat_extract_output_lengths",
        _output_lengths,
    ),
    Patch("torch:Tensor.repeat_interleave", _interleave_by_stacking, wraps_original=True),
)


class _MoonshineDecoderOnnxConfig(Seq2SeqDecoderOnnxConfig):
    """A decoder graph of Moonshine's generation layout: the model reads `encoder_outputs.last_hidden_state`, and
    transformers 5 the downsampled mask from `encoder_outputs.attention_mask` (4.x downsamples `attention_mask`)."""

    def forward_inputs(self, inputs: dict[str, Any]) -> dict[str, Any]:
        from transformers.modeling_outputs import BaseModelOutput

        inputs = super().forward_inputs(inputs)
        (hidden_states,) = inputs["encoder_outputs"]
        encoder_outputs = BaseModelOutput(last_hidden_state=hidden_states)
        if "attention_mask" in inputs:
            mask = inputs["attention_mask"][..., ::_DOWNSAMPLING]
            encoder_outputs["attention_mask"] = mask[..., : hidden_states.shape[1]]
        inputs["encoder_outputs"] = encoder_outputs
        return inputs


class MoonshineOnnxConfig(Speech2TextOnnxConfig):
    """Moonshine: the raw waveform `input_values` (batch, samples) and its `attention_mask`, then as Speech2Text.

    The dummy waveform has `steps_per_token` samples per step of `seq_length` (one encoder position), and 2 steps
    more that the convolutions' kernels take; the decoder
    caches `decoder_num_key_value_heads` heads. The generation layout's decoders get the encoder's states as the
    encoder output object the model reads them from, with the mask the encoder would return.
    """

    encoder_input = {"input_values": {0: "batch", 1: "samples"}}
    steps_per_token = _DOWNSAMPLING
    padding = 3 * _DOWNSAMPLING  # the samples of the last position and of the 2 more the kernels take
    patches = _PATCHES

    @property
    def generation_graph_configs(self) -> tuple[type, type]:
        return (Seq2SeqEncoderOnnxConfig, _MoonshineDecoderOnnxConfig)

    def _dummy_encoder_input(self, rng: np.random.Generator, batch: int, sequence: int) -> np.ndarray:
        return rng.standard_normal((batch, (sequence + 2) * self.steps_per_token), dtype=np.float32)

    def _encoder_output_length(self, inputs: Mapping[str, Any]) -> int:
        return _output_lengths(None, inputs["input_values"].shape[1])

    @property
    def num_layers(self) -> tuple[int, int]:
        return (self._config.encoder_num_hidden_layers, self._config.decoder_num_hidden_layers)

    @property
    def past_layout(self) -> PastLayout:
        config = self._config
        head_dim = getattr(config, "head_dim", None) or config.hidden_size // config.decoder_num_attention_heads
        return PastLayout(
            config.decoder_num_hidden_layers, config.decoder_num_key_value_heads, head_dim, cross_attention=True
        )
