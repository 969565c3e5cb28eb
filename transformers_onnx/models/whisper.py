"""Whisper: log-mel `input_features` for the encoder, token ids for the decoder."""

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from ..config import OnnxSeq2SeqConfigWithPast


class WhisperOnnxConfig(OnnxSeq2SeqConfigWithPast):
    """Whisper: `input_features` (batch, mel bins, frames) and `decoder_input_ids`, with past the caches.

    Dummy inputs come from a `WhisperProcessor` or a `WhisperFeatureExtractor`.
    """

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        common_inputs = OrderedDict(
            [
                ("input_features", {0: "batch", 1: "feature_size", 2: "encoder_sequence"}),
                ("decoder_input_ids", {0: "batch", 1: "decoder_sequence"}),
            ]
        )
        if self.use_past:
            self.fill_with_past_key_values_(common_inputs, direction="inputs")
        return common_inputs

    atol_for_validation = 1e-3

    def _encoder_output_length(self, inputs: Mapping[str, Any]) -> int:
        return self._config.max_source_positions
