"""Everything that differs between transformers 4.x and 5.x, in one place."""

import contextlib
import importlib.util
import os
from collections.abc import Iterable
from functools import lru_cache
from inspect import signature
from typing import Any, Callable, Iterator, Optional

from packaging import version

#: Auto classes renamed in transformers 5: legacy name → new name.
_AUTO_CLASS_RENAMES = {"AutoModelForVision2Seq": "AutoModelForImageTextToText"}

#: The newest transformers minor release the test suite ran on: the one locks/transformers5.txt pins (CI's newest
#: stack; docs/supported-models.md names it). Raise both together, after `make canary` and `make test` pass on it.
TESTED_TRANSFORMERS = "5.25"


@lru_cache(maxsize=None)
def transformers_version() -> version.Version:
    """The installed transformers version (read from package metadata; transformers is not imported)."""
    from importlib.metadata import version as installed_version

    return version.parse(installed_version("transformers"))


def untested_transformers() -> Optional[str]:
    """One line saying that the installed transformers is newer than any this package was tested on, or None."""
    installed = transformers_version()
    if installed.release[:2] <= version.parse(TESTED_TRANSFORMERS).release[:2]:
        return None
    return (
        f"transformers {installed} is newer than {TESTED_TRANSFORMERS}, the newest this package was tested with"
        f" (pip install 'transformers<{_next_minor(TESTED_TRANSFORMERS)}' gives a tested one; please report failures)"
    )


def _next_minor(release: str) -> str:
    major, minor = version.parse(release).release[:2]
    return f"{major}.{minor + 1}"


def has_tensorflow_models() -> bool:
    """Whether TensorFlow models can be loaded: transformers 4.x and TensorFlow both installed."""
    return transformers_version().major < 5 and importlib.util.find_spec("tensorflow") is not None


def has_torch() -> bool:
    """Whether PyTorch is installed (without importing it)."""
    return importlib.util.find_spec("torch") is not None


def construction_dtype_arguments(model_config: Any) -> dict:
    """The `from_config` arguments that give a model the dtype `from_pretrained` loads the checkpoint in: its
    stored dtype from transformers 5.0 on (`dtype="auto"` is the default), float32 before."""
    import torch

    if transformers_version().major < 5:
        return {"torch_dtype": torch.float32}
    stored = getattr(model_config, "dtype", None)
    return {"dtype": getattr(torch, stored) if isinstance(stored, str) else stored or torch.float32}


def checkpoint_keys(model: Any, stored_keys: Iterable[str]) -> dict[str, str]:
    """The stored key each of the model's state-dict keys loads from, as `from_pretrained` pairs them: with the base
    model's prefix added or removed, and from transformers 5.0 on through the model's weight renamings (an Audio
    Spectrogram Transformer's `layers.0.attention.q_proj.weight` is stored as `...attention.attention.query.weight`).
    Keys that a weight converter merges or splits (experts stored one by one, fused in the model) are left out."""
    model_state = model.state_dict()
    prefix = model.base_model_prefix
    if transformers_version().major >= 5:
        from transformers.conversion_mapping import get_model_conversion_mapping
        from transformers.core_model_loading import WeightConverter, WeightRenaming, rename_source_key

        transforms = get_model_conversion_mapping(model)
        renamings = [each for each in transforms if isinstance(each, WeightRenaming)]
        converters = [each for each in transforms if isinstance(each, WeightConverter)]

        def model_key(stored: str) -> Optional[str]:
            renamed, converted_by = rename_source_key(stored, renamings, converters, prefix, model_state)
            if renamed not in model_state and stored in model_state:
                return stored
            return None if converted_by else renamed
    else:

        def model_key(stored: str) -> Optional[str]:
            for key in (stored, stored.removeprefix(f"{prefix}."), f"{prefix}.{stored}"):
                if key in model_state:
                    return key
            return None

    keys = {}
    for stored in stored_keys:
        key = model_key(stored)
        if key in model_state:
            keys.setdefault(key, stored)
    return keys


def keep_tensorflow_unloaded():
    """Stop transformers 4.x from importing TensorFlow, which it does while loading any model when TensorFlow is
    installed (4-5 s and native log lines). Takes effect only if transformers is not imported yet."""
    os.environ.setdefault("USE_TF", "0")


def auto_class(name: str):
    """A transformers Auto class by its legacy name, following renames of the installed version.

    Args:
        name: e.g. "AutoModelForVision2Seq" or "TFAutoModel".

    Returns:
        The class.
    """
    import transformers

    if not hasattr(transformers, name) and name in _AUTO_CLASS_RENAMES:
        name = _AUTO_CLASS_RENAMES[name]
    return getattr(transformers, name)


#: Every name transformers' forward (or TF `call`) methods have given an input, by the config's name for it
#: (its role), newest first. Graphs keep the config's names; the model is called with the name its forward
#: declares, so an upstream rename is one entry here (5.24: `past_key_values` → `cache`).
FORWARD_PARAMETER_ALIASES = {"past_key_values": ("cache", "past_key_values")}

#: The output field holding the cache a model returns (named as the forward's parameter), which graphs name `present.*`.
CACHE_OUTPUT_FIELDS = FORWARD_PARAMETER_ALIASES["past_key_values"]


def bind_inputs(forward: Callable, input_names: Iterable[str]) -> dict[str, str]:
    """Bind a config's input names to the parameters of a model's forward, by role.

    Args:
        forward: The model's `forward` (PyTorch) or `call` (TensorFlow).
        input_names: The config's input names (the keys of its dummy inputs).

    Returns:
        Config input name → forward parameter name, in forward order; names that bind to no parameter are absent.
    """
    parameters = list(signature(forward).parameters)
    bound = {}
    for name in input_names:
        candidates = [alias for alias in FORWARD_PARAMETER_ALIASES.get(name, (name,)) if alias in parameters]
        if candidates:
            bound[name] = candidates[0]
    return dict(sorted(bound.items(), key=lambda item: parameters.index(item[1])))


def cache_from_tensors(layers: list[tuple], cross_attention: bool = False) -> Any:
    """The transformers cache holding past key values given as tensors, one tuple per layer.

    Args:
        layers: (key, value) per decoder layer, or with `cross_attention` (self key, self value, cross key,
            cross value) per layer of an encoder-decoder's decoder; empty for a first step.
        cross_attention: Whether the layers hold the cross-attention's too (`PastLayout.cross_attention`).

    Returns:
        A `DynamicCache`, or an `EncoderDecoderCache` of two `DynamicCache`s.
    """
    from transformers import DynamicCache, EncoderDecoderCache

    if cross_attention:
        return EncoderDecoderCache(
            DynamicCache([layer[:2] for layer in layers]), DynamicCache([layer[2:] for layer in layers])
        )
    return DynamicCache(layers)


def cache_to_tensors(cache: Any) -> list[tuple]:
    """The inverse of `cache_from_tensors`; tuples of tensors pass through unchanged."""
    if isinstance(cache, (list, tuple)):
        return list(cache)
    if hasattr(cache, "self_attention_cache"):
        self_attention = cache_to_tensors(cache.self_attention_cache)
        cross_attention = cache_to_tensors(cache.cross_attention_cache)
        return [own + cross for own, cross in zip(self_attention, cross_attention)]
    return [(layer.keys, layer.values) for layer in cache.layers]


@contextlib.contextmanager
def parameters_unread_by_torchscript() -> Iterator[bool]:
    """Inside, torch's TorchScript exporter does not read the parameters' values: it passes none to its ONNX shape
    inference and initializer deduplication, which both read every parameter in full (for placeholders standing for
    16 GB of weights: minutes of copying them out). Used with `export_params=False`, where the exporter writes no
    values anyway; shapes still come from the traced graph's inputs. The helper moved in torch 2.9 (into
    `torch.onnx._internal.torchscript_exporter.utils`); older torch keeps it in `torch.onnx.utils`. Yields whether
    it could keep them from the exporter (then constant folding, which reads only what it is passed, folds the
    graph's own constants and nothing computed from a parameter)."""
    import importlib

    for name in ("torch.onnx._internal.torchscript_exporter.utils", "torch.onnx.utils"):
        try:
            exporter = importlib.import_module(name)
        except ImportError:
            continue
        if hasattr(exporter, "_get_named_param_dict"):
            break
    else:
        yield False
        return
    named_parameters = exporter._get_named_param_dict
    exporter._get_named_param_dict = lambda graph, params: {}
    try:
        yield True
    finally:
        exporter._get_named_param_dict = named_parameters


@contextlib.contextmanager
def traceable_masks() -> Iterator[None]:
    """Let the TorchScript tracer through transformers' attention-mask builders.

    transformers 4.53–4.57 build causal masks with `torch.vmap`, which the tracer cannot record; inside
    this block the same mask functions are evaluated by broadcasting instead, as transformers 5 does
    (and without the indexing mode that vmap needs). A decoder given no attention mask (Whisper) has its
    position ids searched for packed sequences with `torch.diff` and a cumulative sum of booleans, which
    ONNX cannot express; an exported graph takes one sequence per row, so the search answers None.
    """
    try:
        from transformers import masking_utils
    except ImportError:  # transformers < 4.53: masks are built without vmap
        masking_utils = None
    if masking_utils is None:
        yield
        return
    replacements = {"find_packed_sequence_indices": lambda position_ids: None}
    if hasattr(masking_utils, "_vmap_for_bhqkv"):
        replacements.update(_vmap_for_bhqkv=_broadcast_for_bhqkv, TransformGetItemToIndex=contextlib.nullcontext)
    replacements = {name: value for name, value in replacements.items() if hasattr(masking_utils, name)}
    originals = {name: getattr(masking_utils, name) for name in replacements}
    for name, replacement in replacements.items():
        setattr(masking_utils, name, replacement)
    try:
        yield
    finally:
        for name, original in originals.items():
            setattr(masking_utils, name, original)


def _broadcast_for_bhqkv(mask_function, bh_indices: bool = True):
    def expanded(batch_idx, head_idx, q_idx, kv_idx):
        if not bh_indices:
            return mask_function(batch_idx, head_idx, q_idx[:, None], kv_idx[None, :])
        batch, head = batch_idx[:, None, None, None], head_idx[None, :, None, None]
        query, key = q_idx[None, None, :, None], kv_idx[None, None, None, :]
        mask = mask_function(batch, head, query, key)
        return mask.expand(batch.shape[0], head.shape[1], query.shape[2], key.shape[3])

    return expanded


@contextlib.contextmanager
def traceable_experts(model: Any) -> Iterator[None]:
    """Run mixture-of-experts layers with transformers 5's `batched_mm` experts while tracing.

    The default `grouped_mm` uses `torch.histc`, which has no ONNX symbolic, and the `eager` loop visits only
    the experts chosen at trace time; `batched_mm` gathers each token's expert weights with tensor ops.
    transformers 4 has only the eager loop, so its mixture-of-experts models are refused
    (docs/supported-models-notes.md, "Decoders").
    """
    if transformers_version().major < 5 and getattr(model.config, "num_local_experts", None):
        from .errors import ExportError

        raise ExportError(
            f"{type(model).__name__} routes tokens to experts with a Python loop in transformers"
            f" {transformers_version()}, which tracing freezes to the experts of the dummy inputs:"
            " export it with transformers 5"
        )
    current = getattr(model.config, "_experts_implementation", None)
    if current in (None, "batched_mm") or not hasattr(model, "set_experts_implementation"):
        yield
        return
    model.set_experts_implementation("batched_mm")
    try:
        yield
    finally:
        model.set_experts_implementation(current)


def partial_rotary_factor(config: Any) -> float:
    """The share of a head's dims the rotary embedding turns: a config attribute in transformers 4 (`rotary_pct`
    in GPT-NeoX), an entry of `rope_parameters` in transformers 5; 1.0 when the config names none."""
    rope_parameters = getattr(config, "rope_parameters", None) or {}
    nested = rope_parameters.get("partial_rotary_factor") if isinstance(rope_parameters, dict) else None
    return nested or getattr(config, "partial_rotary_factor", None) or getattr(config, "rotary_pct", None) or 1.0


#: The first transformers release whose Falcon caches `num_kv_heads` heads under the new decoder architecture.
_FALCON_CACHES_KV_HEADS = version.parse("5.25")


def falcon_cached_heads(config: Any) -> int:
    """The key/value heads a Falcon cache holds: one under multi-query attention, else `num_kv_heads`, except that
    before transformers 5.25 the new decoder architecture cached its keys expanded to every attention head."""
    if config.new_decoder_architecture and transformers_version().release[:2] < _FALCON_CACHES_KV_HEADS.release[:2]:
        return config.num_attention_heads
    if config.new_decoder_architecture or not config.multi_query:
        return config.num_kv_heads
    return 1


def esm_caches_rotary_tables() -> bool:
    """Whether ESM's rotary embedding keeps its cos/sin tables from one call to the next while the length stays
    (transformers 4's per-layer `RotaryEmbedding`; transformers 5 computes them at each call): a model that ran at
    the traced length before the export would have them traced as constants."""
    from transformers.models.esm import modeling_esm

    return hasattr(modeling_esm, "RotaryEmbedding")


#: The first transformers release whose DeepSeek-V3 caches the compressed latents of its multi-head latent attention.
_DEEPSEEK_V3_CACHES_LATENTS = version.parse("5.15")


def deepseek_v3_cache_shapes(config: Any) -> tuple[tuple[int, int], tuple[int, int]]:
    """(heads, size) of the key and of the value that a DeepSeek-V3 cache layer holds: since transformers 5.15 the
    compressed latents (one head; the `kv_lora_rank` latent as the key, the rotary part of the key as the value),
    before it every attention head's expanded key (`qk_nope_head_dim + qk_rope_head_dim`) and value (`v_head_dim`)."""
    if transformers_version().release[:2] >= _DEEPSEEK_V3_CACHES_LATENTS.release[:2]:
        return (1, config.kv_lora_rank), (1, config.qk_rope_head_dim)
    heads = config.num_attention_heads
    return (heads, config.qk_nope_head_dim + config.qk_rope_head_dim), (heads, config.v_head_dim)


def on_transformers_4(replacement: Callable) -> Callable:
    """For a `Patch` with `wraps_original`: `replacement` on transformers 4, the op unchanged on transformers 5."""
    return lambda original: replacement if transformers_version().major < 5 else original


def experts_by_gathering(experts: Any, hidden_states: Any, expert_ids: Any, weights: Any) -> Any:
    """transformers 5's `batched_mm` experts for a transformers 4 list of gated expert MLPs (`gate_proj`, `up_proj`,
    `down_proj`, `act_fn`): each token's `expert_ids` (tokens, top_k) weighted by `weights` and summed, every
    (token, expert) pair's weights gathered by tensor ops, so that a trace leaves the choice of experts to run time
    (transformers 4 loops in Python over the experts that the traced tokens reach)."""
    import torch

    gate, up, down = (
        torch.stack([getattr(expert, name).weight for expert in experts])
        for name in ("gate_proj", "up_proj", "down_proj")
    )
    top_k = expert_ids.shape[-1]
    ids = expert_ids.reshape(-1)
    states = hidden_states.repeat_interleave(top_k, dim=0).unsqueeze(-1)  # (tokens × top_k, hidden, 1)
    inner = experts[0].act_fn(torch.bmm(gate[ids], states)) * torch.bmm(up[ids], states)
    outputs = torch.bmm(down[ids], inner).squeeze(-1) * weights.reshape(-1, 1)
    return outputs.view(-1, top_k, hidden_states.shape[-1]).sum(dim=1)
