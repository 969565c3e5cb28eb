"""Speech2Text: filter-bank `input_features` and their mask for the encoder, token ids for the decoder."""

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..config import OnnxSeq2SeqConfigWithPast, _tensor_type


class Speech2TextOnnxConfig(OnnxSeq2SeqConfigWithPast):
    """Speech2Text: `input_features` (batch, frames, mel bins) as `Speech2TextFeatureExtractor` makes them, their
    `attention_mask` (batch, frames) and `decoder_input_ids`, with past the caches; the speech encoder-decoders
    whose encoder subsamples its input (Moonshine) change what differs.

    The dummy encoder inputs are noise of `steps_per_token` frames per step of `seq_length` (one encoder position
    per step), made from the model's config without a preprocessor (for the generation layout's graphs too); the
    first row's last `padding` frames (its last encoder position) are padding.
    """

    #: The encoder's input and its axes; `attention_mask` has the same axes.
    encoder_input: Mapping[str, Mapping[int, str]] = {"input_features": {0: "batch", 1: "frames"}}
    #: The encoder input's frames (or samples) per step of `seq_length`.
    steps_per_token = 4
    padding = 4
    needs_preprocessor = False
    atol_for_validation = 1e-4

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        ((name, axes),) = self.encoder_input.items()
        common_inputs = OrderedDict([(name, dict(axes)), ("attention_mask", dict(axes))])
        common_inputs["decoder_input_ids"] = {0: "batch", 1: "decoder_sequence"}
        if self.use_past:
            self.fill_with_past_key_values_(common_inputs, direction="inputs")
        return common_inputs

    def _dummy_encoder_inputs(self, preprocessor: Any, batch: int, sequence: int, is_pair: bool, framework) -> dict:
        """Random features of `steps_per_token` frames per token, the first row's last `padding` masked; a
        preprocessor given is not used."""
        from transformers import BatchEncoding

        encoder_input = self._dummy_encoder_input(np.random.default_rng(batch * 1000 + sequence), batch, sequence)
        mask = np.ones(encoder_input.shape[:2], dtype=np.int64)
        mask[0, -self.padding :] = 0
        (name,) = self.encoder_input
        return dict(BatchEncoding({name: encoder_input, "attention_mask": mask}, tensor_type=_tensor_type(framework)))

    def _dummy_encoder_input(self, rng: np.random.Generator, batch: int, sequence: int) -> np.ndarray:
        mel_bins = self._config.input_feat_per_channel * self._config.input_channels
        return rng.standard_normal((batch, sequence * self.steps_per_token, mel_bins), dtype=np.float32)

    def _encoder_output_length(self, inputs: Mapping[str, Any]) -> int:
        """The frames after the stride-2 convolutions of the subsampler."""
        length = inputs["input_features"].shape[1]
        for _ in range(self._config.num_conv_layers):
            length = (length - 1) // 2 + 1
        return length
