"""Longformer: token ids, attention mask and global attention mask; opset 14.

Longformer cuts queries, keys and values into overlapping chunks with `as_strided` (whose strides the
tracer records as constants, so other sequence lengths read the wrong memory), or with `Tensor.unfold` when
its config says `onnx_export` (which torch's exporter refuses for a dynamic length). The export cuts the
chunks by indexing instead. It also pads the sequence to a multiple of the attention window unconditionally:
the model pads only `if padding_len > 0`, a branch the tracer freezes, so a graph traced at a multiple of the
window never pads (and fails at every other length).

The dummy inputs make two tokens global, the first two of the first sequence: the model views its global-attention
output with `len()` of the global-token indices, which the tracer freezes to the traced count N as a reshape to
(N, -1). That reshape only holds at other shapes when N divides (global tokens × hidden size); N = 2 always does
for an even hidden size (every second token global, as the legacy dummy inputs had it, froze N = 64 for multiple
choice and the graph failed whenever that did not divide; N = 1 lets the tracer squeeze the token axis away).
"""

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..config import Patch, TextEncoderOnnxConfig, array_like


def _overlapping_chunks(hidden_states, size: int, step: int):
    """(batch, length, dim) → (batch, chunks, size, dim): `size` positions every `step` positions."""
    import torch

    chunk_count = (hidden_states.size(1) - size) // step + 1
    starts = torch.arange(chunk_count, device=hidden_states.device) * step
    return hidden_states[:, starts[:, None] + torch.arange(size, device=hidden_states.device)]


def _chunk(hidden_states, window_overlap: int, onnx_export: bool = False):
    """`LongformerSelfAttention._chunk`: chunks of 2w positions every w positions."""
    return _overlapping_chunks(hidden_states, 2 * window_overlap, window_overlap)


def _sliding_chunks_matmul_attn_probs_value(self, attn_probs, value, window_overlap: int):
    """`LongformerSelfAttention._sliding_chunks_matmul_attn_probs_value` with the value chunks cut by indexing."""
    import torch

    batch_size, seq_len, num_heads, head_dim = value.size()
    attn_probs = attn_probs.transpose(1, 2).reshape(
        batch_size * num_heads, seq_len // window_overlap, window_overlap, 2 * window_overlap + 1
    )
    value = value.transpose(1, 2).reshape(batch_size * num_heads, seq_len, head_dim)
    padded_value = torch.nn.functional.pad(value, (0, 0, window_overlap, window_overlap), value=-1)
    value_chunks = _overlapping_chunks(padded_value, 3 * window_overlap, window_overlap)
    context = torch.einsum("bcwd,bcdh->bcwh", self._pad_and_diagonalize(attn_probs), value_chunks)
    return context.view(batch_size, num_heads, seq_len, head_dim).transpose(1, 2)


def _pad_to_window_size(self, input_ids, attention_mask, token_type_ids, position_ids, inputs_embeds, pad_token_id):
    """`LongformerModel._pad_to_window_size`, padding by a traced length that may be 0 instead of branching on it."""
    import torch

    window = self.config.attention_window
    window = window if isinstance(window, int) else max(window)
    length = (input_ids if input_ids is not None else inputs_embeds).shape[1]
    padding_len = (window - length % window) % window

    def padded(tensor, value):
        return None if tensor is None else torch.nn.functional.pad(tensor, (0, padding_len), value=value)

    if inputs_embeds is not None:
        padding_ids = inputs_embeds.new_full((inputs_embeds.shape[0], padding_len), self.config.pad_token_id, dtype=torch.long)
        inputs_embeds = torch.cat([inputs_embeds, self.embeddings(padding_ids)], dim=-2)
    return (
        padding_len,
        padded(input_ids, pad_token_id),
        padded(attention_mask, 0),
        padded(token_type_ids, 0),
        padded(position_ids, pad_token_id),
        inputs_embeds,
    )


class LongformerOnnxConfig(TextEncoderOnnxConfig):
    """Longformer: two dummy tokens attend globally; padding and chunking without frozen sizes while exporting."""

    text_inputs = ("input_ids", "attention_mask", "global_attention_mask")

    patches = (
        Patch("transformers.models.longformer.modeling_longformer:LongformerModel._pad_to_window_size", _pad_to_window_size),
        Patch(
            "transformers.models.longformer.modeling_longformer:LongformerSelfAttention._chunk",
            _chunk,
            op_wrapper=staticmethod,
        ),
        Patch(
            "transformers.models.longformer.modeling_longformer:LongformerSelfAttention._sliding_chunks_matmul_attn_probs_value",
            _sliding_chunks_matmul_attn_probs_value,
        ),
    )
    atol_for_validation = 1e-4
    default_onnx_opset = 14

    @property
    def outputs(self) -> Mapping[str, Mapping[int, str]]:
        outputs = super().outputs
        if self.task == "default":
            outputs["pooler_output"] = {0: "batch"}
        return outputs

    def generate_dummy_inputs(self, preprocessor, *args, **kwargs) -> Mapping[str, Any]:
        inputs = super().generate_dummy_inputs(preprocessor, *args, **kwargs)
        global_attention_mask = np.zeros(np.shape(inputs["input_ids"]), dtype=np.int64)
        global_attention_mask.reshape(-1, global_attention_mask.shape[-1])[0, :2] = 1
        inputs["global_attention_mask"] = array_like(global_attention_mask, inputs["input_ids"])
        return self.declared_inputs(inputs)
