"""Nystromformer: the BERT inputs; a fixed sequence length where it attends through landmarks.

Its attention averages the queries and keys into `num_landmarks` landmarks by reshaping them to the config's
`segment_means_seq_len` positions, so the model (PyTorch's as the graph) runs on sequences of exactly that length
(tokenizers pad to it: 512 for uw-madison/nystromformer-512), unless `num_landmarks == segment_means_seq_len`,
where it attends in full and takes any length.

transformers 5 gives the attention a (batch, 1, query, key) mask, which cannot be added to the landmarks' scores
(batch, heads, landmarks, key): the model fails on padded inputs, and its export fails. While exporting, the
attention takes the mask of one query (the padding of the keys, the same for every query), as transformers 4 gave it.
"""

from collections.abc import Mapping
from typing import Any

from ..config import Patch, TextEncoderOnnxConfig


def _mask_of_the_keys(forward):
    """`NystromformerSelfAttention.forward` given the first query's row of the attention mask."""

    def forward_with_key_mask(self, hidden_states, attention_mask=None, *args, **kwargs):
        if attention_mask is not None:
            attention_mask = attention_mask[:, :, :1, :]
        return forward(self, hidden_states, attention_mask, *args, **kwargs)

    return forward_with_key_mask


class NystromformerOnnxConfig(TextEncoderOnnxConfig):
    """Nystromformer: token type ids always (zeros where the tokenizer makes none: transformers 5 loads its
    tokenizer without them); dummy inputs of `segment_means_seq_len` tokens under landmark attention, whose graph
    has that sequence length fixed."""

    patches = (
        Patch(
            "transformers.models.nystromformer.modeling_nystromformer:NystromformerSelfAttention.forward",
            _mask_of_the_keys,
            wraps_original=True,
        ),
    )

    @property
    def fixed_sequence(self) -> bool:
        """Whether the model attends through landmarks (and so takes `segment_means_seq_len` tokens only)."""
        return self._config.num_landmarks != self._config.segment_means_seq_len

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        inputs = super().inputs
        if self.fixed_sequence:
            for axes in inputs.values():
                axes.pop(max(axes))  # the sequence axis, last of (batch[, choice], sequence)
        return inputs

    @property
    def outputs(self) -> Mapping[str, Mapping[int, str]]:
        outputs = super().outputs
        if self.fixed_sequence:
            for axes in outputs.values():
                axes.pop(1, None)
        return outputs

    def generate_dummy_inputs(
        self, preprocessor, batch_size: int = -1, seq_length: int = -1, **kwargs
    ) -> Mapping[str, Any]:
        if self.fixed_sequence:
            seq_length = self._config.segment_means_seq_len
        inputs = super().generate_dummy_inputs(preprocessor, batch_size=batch_size, seq_length=seq_length, **kwargs)
        inputs.setdefault("token_type_ids", inputs["input_ids"] * 0)
        return self.declared_inputs(inputs)
