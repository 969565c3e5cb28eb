"""Longformer: token ids, attention mask and global attention mask; opset 14.

Longformer cuts queries, keys and values into overlapping chunks with `as_strided` (whose strides the
tracer records as constants, so other sequence lengths read the wrong memory), or with `Tensor.unfold` when
its config says `onnx_export` (which torch's exporter refuses for a dynamic length). The export cuts the
chunks by indexing instead.
"""

from collections.abc import Mapping
from typing import Any, Optional

from ..config import PatchingSpec, TextEncoderOnnxConfig


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


class LongformerOnnxConfig(TextEncoderOnnxConfig):
    """Longformer: every second dummy token attends globally; chunking by indexing while exporting."""

    text_inputs = ("input_ids", "attention_mask", "global_attention_mask")

    def __init__(self, config, task: str = "default", patching_specs: Optional[list[PatchingSpec]] = None):
        from transformers.models.longformer.modeling_longformer import LongformerSelfAttention

        chunking = [
            PatchingSpec(LongformerSelfAttention, "_chunk", _chunk, op_wrapper=staticmethod),
            PatchingSpec(
                LongformerSelfAttention, "_sliding_chunks_matmul_attn_probs_value", _sliding_chunks_matmul_attn_probs_value
            ),
        ]
        super().__init__(config, task=task, patching_specs=[*(patching_specs or []), *chunking])

    @property
    def outputs(self) -> Mapping[str, Mapping[int, str]]:
        outputs = super().outputs
        if self.task == "default":
            outputs["pooler_output"] = {0: "batch"}
        return outputs

    @property
    def atol_for_validation(self) -> float:
        return 1e-4

    @property
    def default_onnx_opset(self) -> int:
        return 14

    def generate_dummy_inputs(self, preprocessor, *args, **kwargs) -> Mapping[str, Any]:
        inputs = super().generate_dummy_inputs(preprocessor, *args, **kwargs)
        global_attention_mask = inputs["input_ids"] * 0
        global_attention_mask[..., ::2] = 1
        inputs["global_attention_mask"] = global_attention_mask
        return {name: inputs[name] for name in self.inputs}
