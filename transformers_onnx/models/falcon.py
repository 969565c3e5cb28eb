"""Falcon: the base decoder; its cache heads depend on the attention variant, and ALiBi needs a patch."""

from .. import compat
from ..config import DecoderOnnxConfig, Patch


def _alibi_with_explicit_casts(build_alibi_tensor):
    """Falcon multiplies bfloat16 slopes by int64 positions; the TorchScript exporter casts the positions to ONNX
    type 15 (complex128: torch's number for bfloat16), which onnxruntime rejects. The same biases, bit for bit:
    the float32 product of the bfloat16 slopes and the positions is exact, then rounded to bfloat16 once."""
    import torch

    def build_with_explicit_casts(attention_mask, num_heads, dtype):
        exact = build_alibi_tensor(attention_mask.float(), num_heads, torch.float32)
        return exact.bfloat16().to(dtype)

    return build_with_explicit_casts


class FalconOnnxConfig(DecoderOnnxConfig):
    """Falcon as the base decoder config exports it, with rotary or ALiBi positions."""

    patches = (
        Patch(
            "transformers.models.falcon.modeling_falcon:build_alibi_tensor",
            _alibi_with_explicit_casts,
            wraps_original=True,
            when="alibi",
        ),
    )

    @property
    def num_key_value_heads(self) -> int:
        """The heads of Falcon's cache (`compat.falcon_cached_heads`: transformers 5.25 stopped expanding them)."""
        return compat.falcon_cached_heads(self._config)
