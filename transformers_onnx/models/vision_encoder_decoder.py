"""Vision encoder-decoder: exported as two graphs, the image encoder and the text decoder."""

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from ..config import OnnxConfig, VisionOnnxConfig


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


class VisionEncoderDecoderOnnxConfig(OnnxConfig):
    """A `VisionEncoderDecoderModel`, exported as `encoder_model.onnx` and `decoder_model.onnx`."""

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        """Empty: each graph has the inputs of `get_encoder_config` or `get_decoder_config`."""
        return OrderedDict()

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
        return [
            ("encoder_model.onnx", encoder, self.get_encoder_config(encoder.config)),
            ("decoder_model.onnx", decoder, self.get_decoder_config(encoder.config, decoder.config, self.task)),
        ]
