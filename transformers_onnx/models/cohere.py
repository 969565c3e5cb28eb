"""Cohere: the base decoder, with interleaved rotary embeddings (GLM and Helium share its config)."""

from ..config import DecoderOnnxConfig, Patch


def _non_negative_dim(repeat_interleave):
    """torch 2.13's TorchScript exporter turns a negative `dim` of `repeat_interleave` non-negative by changing the
    traced constant itself, which the graph shares with every other equal constant: the `-1` of the attention's
    views and of the rotary `expand` became `3`, and the graph failed at any other shape. The same call with the
    dimension counted from the front."""

    def with_non_negative_dim(input, repeats, dim=None, **kwargs):
        if dim is not None and dim < 0:
            dim += input.dim()
        return repeat_interleave(input, repeats, dim=dim, **kwargs)

    return with_non_negative_dim


class CohereOnnxConfig(DecoderOnnxConfig):
    """Cohere, GLM and Helium as the base decoder config exports them, their rotary tables interleaved with
    `repeat_interleave` along the last axis."""

    patches = (
        Patch("torch:repeat_interleave", _non_negative_dim, wraps_original=True),
        Patch("torch:Tensor.repeat_interleave", _non_negative_dim, wraps_original=True),
    )
