"""Whisper: log-mel `input_features` for the encoder, token ids for the decoder; audio classification runs the
encoder alone."""

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from ..config import OnnxConfig, OnnxSeq2SeqConfigWithPast


class WhisperOnnxConfig(OnnxSeq2SeqConfigWithPast):
    """Whisper: `input_features` (batch, mel bins, frames) and `decoder_input_ids`, with past the caches.

    `audio-classification` (`WhisperForAudioClassification`, the encoder and a classifier) takes
    `input_features` alone and returns `logits` (batch, labels). Dummy inputs come from a `WhisperProcessor` or a
    `WhisperFeatureExtractor`.
    """

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        common_inputs = OrderedDict([("input_features", {0: "batch", 1: "feature_size", 2: "encoder_sequence"})])
        if self.task == "audio-classification":
            return common_inputs
        common_inputs["decoder_input_ids"] = {0: "batch", 1: "decoder_sequence"}
        if self.use_past:
            self.fill_with_past_key_values_(common_inputs, direction="inputs")
        return common_inputs

    @property
    def outputs(self) -> Mapping[str, Mapping[int, str]]:
        if self.task == "audio-classification":
            return OnnxConfig.outputs.fget(self)
        return super().outputs

    @property
    def atol_for_validation(self) -> float:
        return 1e-4 if self.task == "audio-classification" else 1e-3

    def _encoder_output_length(self, inputs: Mapping[str, Any]) -> int:
        return self._config.max_source_positions
