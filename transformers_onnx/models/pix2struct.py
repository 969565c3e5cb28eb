"""Pix2Struct: an image encoder over flattened patches and a T5-like text decoder."""

import math
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..config import OnnxSeq2SeqConfigWithPast, _tensor_type


class Pix2StructOnnxConfig(OnnxSeq2SeqConfigWithPast):
    """Pix2Struct as an encoder-decoder whose encoder takes `Pix2StructImageProcessor`'s `flattened_patches`
    (batch, patches, 2 + patch pixels: each patch's row and column, from 1, then its pixels) and their float
    `attention_mask` (batch, patches); its sizes are those of its `vision_config` (encoder) and `text_config`
    (decoder).

    The dummy patches are made from the config, as many as the sequence length (the image processor always gives
    its `max_patches`): no preprocessor is needed.
    """

    default_onnx_opset = 13
    needs_preprocessor = False

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        inputs = super().inputs
        del inputs["input_ids"]
        return OrderedDict([("flattened_patches", {0: "batch", 1: "encoder_sequence"}), *inputs.items()])

    @property
    def num_layers(self) -> tuple[int, int]:
        return (self._config.vision_config.num_hidden_layers, self._config.text_config.num_layers)

    @property
    def num_attention_heads(self) -> tuple[int, int]:
        return (self._config.vision_config.num_attention_heads, self._config.text_config.num_heads)

    @property
    def head_dim(self) -> int:
        return self._config.text_config.d_kv

    @property
    def hidden_size(self) -> int:
        return self._config.vision_config.hidden_size

    def _dummy_encoder_inputs(self, preprocessor: Any, batch: int, sequence: int, is_pair: bool, framework) -> dict:
        """`sequence` patches of random pixels laid out in rows; a preprocessor given is not used."""
        from transformers import BatchEncoding

        index, columns = np.arange(sequence), math.ceil(math.sqrt(sequence))
        positions = np.broadcast_to(np.stack([index // columns + 1, index % columns + 1], axis=-1), (batch, sequence, 2))
        width = self._config.vision_config.patch_embed_hidden_size
        pixels = np.random.default_rng(batch * 1000 + sequence).standard_normal((batch, sequence, width), dtype=np.float32)
        encoder = {
            "flattened_patches": np.concatenate([positions.astype(np.float32), pixels], axis=-1),
            "attention_mask": np.ones((batch, sequence), dtype=np.float32),
        }
        return dict(BatchEncoding(encoder, tensor_type=_tensor_type(framework)))

    def _encoder_output_length(self, inputs: Mapping[str, Any]) -> int:
        return inputs["flattened_patches"].shape[1]
