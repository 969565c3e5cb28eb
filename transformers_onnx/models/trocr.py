"""TrOCR: the text decoder of TrOCR's vision encoder-decoders, exported alone (`TrOCRForCausalLM`'s decoder)."""

import dataclasses
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..config import OnnxConfig, OnnxConfigWithPast, PastLayout, array_like
from ..errors import UnsupportedFeatureError


class TrOCROnnxConfig(OnnxConfigWithPast):
    """The decoder of `TrOCRForCausalLM` (`get_decoder()`), whose cross-attention reads an image encoder's states.

    `default`: `input_ids`, `attention_mask` and `encoder_hidden_states` (batch, encoder_sequence, the encoder's
    width) → `last_hidden_state`. `default-with-past`, as an encoder-decoder's `default-with-past` graph: the past of
    its self-attention and cross-attention (`past_key_values.{i}.decoder|encoder.key|value`) instead of the encoder's
    states, and `present.*` back. A model holding it is exported whole with `vision2seq-lm[-with-past]`
    (vision-encoder-decoder).
    """

    @classmethod
    def with_past(cls, config: Any, task: str = "default", generation: bool = False) -> "TrOCROnnxConfig":
        if generation:
            raise UnsupportedFeatureError(
                "TrOCR's decoder alone has no generation graphs: export the vision-encoder-decoder model holding it"
                " with --feature vision2seq-lm-with-past --generation"
            )
        return super().with_past(config, task=task)

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        inputs = OrderedDict({"input_ids": {0: "batch", 1: "sequence"}})
        if self.use_past:
            inputs["attention_mask"] = {0: "batch", 1: "past_sequence + sequence"}
            self.fill_with_past_key_values_(inputs, direction="inputs")
        else:
            inputs["attention_mask"] = {0: "batch", 1: "sequence"}
            inputs["encoder_hidden_states"] = {0: "batch", 1: "encoder_sequence"}
        return inputs

    @property
    def num_layers(self) -> int:
        return self._config.decoder_layers

    @property
    def past_layout(self) -> PastLayout:
        return dataclasses.replace(super().past_layout, cross_attention=True)

    def fill_with_past_key_values_(self, inputs_or_outputs: Mapping[str, Mapping[int, str]], direction: str):
        """Add the self-attention's (`past_sequence`) and the cross-attention's (`encoder_sequence`) past or present."""
        if direction == "inputs":
            inputs_or_outputs.update(self.past_layout.axes("past_key_values", "past_sequence", "encoder_sequence"))
        else:
            inputs_or_outputs.update(self.past_layout.axes("present", "past_sequence + sequence", "encoder_sequence"))

    @property
    def encoder_width(self) -> int:
        """The width of the encoder's states its cross-attention reads."""
        return self._config.cross_attention_hidden_size or self._config.hidden_size

    def generate_dummy_inputs(self, tokenizer: Any, *args, **kwargs) -> Mapping[str, Any]:
        """The text's ids and mask, random encoder states one position longer than the text, and with past random
        caches (the encoder states stay among the inputs by role: the model runs its cross-attention only when
        given them, `forward_inputs`)."""
        inputs = dict(super().generate_dummy_inputs(tokenizer, *args, **kwargs))
        inputs.pop("token_type_ids", None)
        ids = inputs["input_ids"]
        batch, sequence = ids.shape
        encoder_length = sequence + 1
        states = np.random.default_rng(0).random((batch, encoder_length, self.encoder_width), dtype=np.float32)
        inputs["encoder_hidden_states"] = array_like(states, ids)
        if self.use_past:
            past_length = inputs["attention_mask"].shape[1] - sequence
            inputs["past_key_values"] = self.past_layout.random(batch, past_length, encoder_length, like=ids)
        return inputs

    def forward_inputs(self, inputs: dict[str, Any]) -> dict[str, Any]:
        """With past, the graph's cross-attention reads the past: encoder states of its length, whose values it never
        reads, make the model run it."""
        if not self.use_past or "encoder_hidden_states" in inputs:
            return inputs
        key = inputs["past_key_values"][0][2]
        return {**inputs, "encoder_hidden_states": key.new_zeros((key.shape[0], key.shape[2], self.encoder_width))}

    def graphs(self, model: Any) -> list[tuple[str, Any, OnnxConfig]]:
        return [("model.onnx", model.get_decoder(), self)]
