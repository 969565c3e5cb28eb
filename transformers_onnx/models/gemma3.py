"""Gemma 3 (the multimodal checkpoints): their text model, as the base decoder exports it."""

from collections.abc import Mapping
from typing import Any, Optional

from ..config import DecoderOnnxConfig


class Gemma3OnnxConfig(DecoderOnnxConfig):
    """A Gemma 3 checkpoint with its vision tower (`Gemma3Config`) exported on text alone, as optimum does: token ids
    in, the language model's outputs and cache out (the cache geometry is the text config's: `text_config`)."""

    @property
    def values_override(self) -> Optional[Mapping[str, Any]]:
        """None: the classification head finds the padding by the text config's `pad_token_id`."""
        return None

    def generate_dummy_inputs(self, tokenizer, *args, **kwargs) -> Mapping[str, Any]:
        """The base decoder's, and with past `use_cache=True`: transformers 4.57's Gemma3Model returns its cache only
        when the forward is given it (the top config has no `use_cache` for `values_override` to set)."""
        inputs = super().generate_dummy_inputs(tokenizer, *args, **kwargs)
        return {**inputs, "use_cache": True} if self.use_past else inputs

    def forward_inputs(self, inputs: dict[str, Any]) -> dict[str, Any]:
        """With past, `use_cache=True` as in `generate_dummy_inputs`: the graph's inputs are tensors only."""
        return {**inputs, "use_cache": True} if self.use_past else inputs
