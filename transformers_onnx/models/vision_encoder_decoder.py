"""Vision encoder-decoder: exported as two graphs, the image encoder and the text decoder; with past as every
encoder-decoder."""

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..config import IMAGE_AXES, OnnxConfig, Seq2SeqDecoderOnnxConfig, VisionOnnxConfig, _tensor_type
from .encoder_decoder import EncoderDecoderOnnxConfig


class VisionEncoderDecoderEncoderOnnxConfig(VisionOnnxConfig):
    """The image encoder: `pixel_values` → `last_hidden_state`."""

    preprocessor_kind = "image_processor"

    @property
    def outputs(self) -> Mapping[str, Mapping[int, str]]:
        return OrderedDict({"last_hidden_state": {0: "batch", 1: "encoder_sequence"}})


class VisionEncoderDecoderDecoderOnnxConfig(OnnxConfig):
    """The text decoder: token ids, attention mask and the encoder's hidden states → logits.

    Its model config carries `encoder_hidden_size` (set by `VisionEncoderDecoderOnnxConfig.get_decoder_config`).
    """

    preprocessor_kind = "tokenizer"

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        return OrderedDict(
            [
                ("input_ids", {0: "batch", 1: "past_decoder_sequence + sequence"}),
                ("attention_mask", {0: "batch", 1: "past_decoder_sequence + sequence"}),
                ("encoder_hidden_states", {0: "batch", 1: "encoder_sequence"}),
            ]
        )

    def generate_dummy_inputs(self, preprocessor: Any, *args, framework: Any = None, **kwargs) -> Mapping[str, Any]:
        import torch

        text = super().generate_dummy_inputs(preprocessor, *args, framework=framework, **kwargs)
        batch, sequence = text["input_ids"].shape
        generator = torch.Generator().manual_seed(0)
        encoder_states = torch.rand((batch, sequence + 1, self._config.encoder_hidden_size), generator=generator)
        return {"input_ids": text["input_ids"], "attention_mask": text["attention_mask"], "encoder_hidden_states": encoder_states}


class VisionEncoderDecoderOnnxConfig(EncoderDecoderOnnxConfig):
    """A `VisionEncoderDecoderModel`.

    `vision2seq-lm`: `encoder_model.onnx` and `decoder_model.onnx` (the decoder takes the encoder's states, no past).
    `vision2seq-lm-with-past`: as every encoder-decoder, one graph (`pixel_values` for the encoder's tokens) or with
    `generation` `encoder_model.onnx`, `decoder_model.onnx`, `decoder_with_past_model.onnx` and
    `decoder_model_merged.onnx`, the decoder graphs run by the same loops as a text encoder-decoder's.
    """

    #: The graphs with past make their dummy inputs from the model's config; the tokenizer is loaded to be saved
    #: with them.
    preprocessor_kind = "tokenizer"
    needs_preprocessor = False

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        """Without past empty: each graph has the inputs of `get_encoder_config` or `get_decoder_config`."""
        if not self.use_past:
            return OrderedDict()
        inputs = super().inputs
        del inputs["input_ids"], inputs["attention_mask"]
        return OrderedDict([("pixel_values", dict(IMAGE_AXES["pixel_values"])), *inputs.items()])

    def get_encoder_config(self, encoder_config: Any) -> OnnxConfig:
        """The config of the encoder graph.

        Args:
            encoder_config: The encoder's `PretrainedConfig`.

        Returns:
            A `VisionEncoderDecoderEncoderOnnxConfig`.
        """
        return VisionEncoderDecoderEncoderOnnxConfig(encoder_config)

    def get_decoder_config(self, encoder_config: Any, decoder_config: Any, feature: str = "default") -> OnnxConfig:
        """The config of the decoder graph; sets `decoder_config.encoder_hidden_size`.

        Args:
            encoder_config: The encoder's `PretrainedConfig`.
            decoder_config: The decoder's `PretrainedConfig`.
            feature: The task of the decoder graph.

        Returns:
            A `VisionEncoderDecoderDecoderOnnxConfig`.
        """
        decoder_config.encoder_hidden_size = encoder_config.hidden_size
        return VisionEncoderDecoderDecoderOnnxConfig(decoder_config, feature)

    def graphs(self, model: Any) -> list[tuple[str, Any, OnnxConfig]]:
        encoder, decoder = model.get_encoder(), model.get_decoder()
        if self.generation:
            return [
                ("encoder_model.onnx", encoder, self.get_encoder_config(encoder.config)),
                ("decoder_model.onnx", model, _GenerationDecoderOnnxConfig(self, with_past=False)),
                ("decoder_with_past_model.onnx", model, _GenerationDecoderOnnxConfig(self, with_past=True)),
            ]
        if self.use_past:
            return [("model.onnx", model, self)]
        return [
            ("encoder_model.onnx", encoder, self.get_encoder_config(encoder.config)),
            ("decoder_model.onnx", decoder, self.get_decoder_config(encoder.config, decoder.config, self.task)),
        ]

    def _dummy_encoder_inputs(self, preprocessor: Any, batch: int, sequence: int, is_pair: bool, framework) -> dict:
        """Random pixel values of the encoder's `image_size`; a preprocessor given is not used."""
        from transformers import BatchEncoding

        encoder = self._config.encoder
        size = encoder.image_size
        height, width = (size, size) if isinstance(size, int) else size
        shape = (batch, encoder.num_channels, height, width)
        pixels = np.random.default_rng(batch * 1000 + sequence).standard_normal(shape, dtype=np.float32)
        return dict(BatchEncoding({"pixel_values": pixels}, tensor_type=_tensor_type(framework)))

    def _encoder_output_length(self, inputs: Mapping[str, Any]) -> int:
        """The dummy encoder states' and cross-attention past's length: one more than the decoder's tokens. The
        decoder takes the encoder's states as they come, but the whole graph's cross-attention mask is as long as
        the encoder's output, cut to the past's length (transformers 4's GPT-2): a past shorter than any encoder's
        output fits it."""
        return inputs["decoder_input_ids"].shape[1] + 1


class _GenerationDecoderOnnxConfig(Seq2SeqDecoderOnnxConfig):
    """A decoder graph of the generation layout, with the tokenizer to save beside it."""

    preprocessor_kind = "tokenizer"
