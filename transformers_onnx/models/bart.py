"""BART, the base of the BART-like encoder-decoders (mBART, Marian, M2M100, Blenderbot, BigBirdPegasus, PLBart)."""

from collections.abc import Mapping
from typing import Any, Optional

from ..config import DecoderOnnxConfig, OnnxSeq2SeqConfigWithPast, PatchingSpec, array_like

#: Tasks whose head reads the decoder's states at the encoder's positions.
_DECODER_MIRRORS_ENCODER = ("sequence-classification", "question-answering")


class _DecoderAloneOnnxConfig(DecoderOnnxConfig):
    """The decoder of a BART-like model used alone (`XxxForCausalLM`)."""

    @property
    def num_layers(self) -> int:
        return self._config.decoder_layers

    @property
    def num_attention_heads(self) -> int:
        return self._config.decoder_attention_heads

    def forward_inputs(self, inputs: dict[str, Any]) -> dict[str, Any]:
        """`XxxForCausalLM` takes no `position_ids`: the generation graph accepts them unused."""
        return {role: value for role, value in inputs.items() if role != "position_ids"}


class BartOnnxConfig(OnnxSeq2SeqConfigWithPast):
    """An encoder-decoder for `default` and `seq2seq-lm`; for `causal-lm` the decoder alone, exported like a
    decoder-only model (`input_ids`, `attention_mask`, `past_key_values.{i}.key/value`); for classification
    and question answering the decoder reads the encoder's tokens."""

    def __init__(
        self,
        config: Any,
        task: str = "default",
        patching_specs: Optional[list[PatchingSpec]] = None,
        use_past: bool = False,
        *,
        generation: bool = False,
    ):
        super().__init__(config, task=task, patching_specs=patching_specs, use_past=use_past, generation=generation)
        self._decoder_alone = (
            _DecoderAloneOnnxConfig(config, task=task, patching_specs=patching_specs, use_past=use_past, generation=generation)
            if task == "causal-lm"
            else None
        )

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        return self._decoder_alone.inputs if self._decoder_alone else super().inputs

    @property
    def outputs(self) -> Mapping[str, Mapping[int, str]]:
        return self._decoder_alone.outputs if self._decoder_alone else super().outputs

    def generate_dummy_inputs(self, preprocessor: Any, *args, **kwargs) -> Mapping[str, Any]:
        if self._decoder_alone:
            return self._decoder_alone.generate_dummy_inputs(preprocessor, *args, **kwargs)
        inputs = super().generate_dummy_inputs(preprocessor, *args, **kwargs)
        if self.task == "sequence-classification":
            inputs = {**inputs, **self._ending_with_one_eos(inputs["input_ids"])}
        return inputs

    def _ending_with_one_eos(self, input_ids: Any) -> dict[str, Any]:
        """The classification head reads the decoder state at the last eos token and requires the same number of
        them in every row: dummy ids end with eos and hold it nowhere else (the tokenizer may add none)."""
        import numpy as np

        eos = self._config.eos_token_id
        ids = np.array(input_ids)
        ids[ids == eos] = (eos + 1) % self._config.vocab_size
        ids[:, -1] = eos
        ids = array_like(ids, input_ids)
        return {"input_ids": ids, "decoder_input_ids": ids}

    def flatten_output_collection_property(self, name: str, field: Any) -> dict[str, Any]:
        if self._decoder_alone:
            return self._decoder_alone.flatten_output_collection_property(name, field)
        return super().flatten_output_collection_property(name, field)

    @property
    def past_layout(self):
        return self._decoder_alone.past_layout if self._decoder_alone else super().past_layout

    def forward_inputs(self, inputs: dict[str, Any]) -> dict[str, Any]:
        return self._decoder_alone.forward_inputs(inputs) if self._decoder_alone else inputs

    @property
    def shared_weights(self) -> tuple[str, ...]:
        return () if self._decoder_alone else super().shared_weights

    def graphs(self, model: Any) -> list:
        return [("model.onnx", model, self)] if self._decoder_alone else super().graphs(model)

    def _dummy_decoder_inputs(self, encoder_inputs: dict, sequence: int, framework) -> dict:
        if self.task in _DECODER_MIRRORS_ENCODER:
            return {"decoder_input_ids": encoder_inputs["input_ids"], "decoder_attention_mask": encoder_inputs["attention_mask"]}
        return super()._dummy_decoder_inputs(encoder_inputs, sequence, framework)
