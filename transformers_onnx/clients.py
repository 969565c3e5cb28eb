"""What an export folder holds beside its graphs, so that the runtimes users load it with find what they read.

optimum's `ORTModelFor*.from_pretrained(OUT)` needs the model's `config.json`; transformers.js reads `config.json`,
`tokenizer.json` and `tokenizer_config.json` (or the image processor's / feature extractor's
`preprocessor_config.json`) and, for generation, `generation_config.json`, and looks for the graphs in `OUT/onnx/`
(an encoder-decoder's decoder as one `decoder_model_merged.onnx`); `AutoTokenizer.from_pretrained(OUT)` needs the
tokenizer's files. `write_client_files` stages the files with the graphs, `merge_decoders` writes the merged decoder
(validated like the others), and once all are in place `link_into_subfolder` makes `OUT/onnx/` hold the graphs as
hard links: no second copy.
"""

import json
import os
import secrets
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .convert import ReferenceOutputs

#: Files copied from the checkpoint as they are (the release that wrote them, not the one installed, is the one a
#: client of another transformers release reads best), else written from the loaded model.
CHECKPOINT_FILES = ("config.json", "generation_config.json")


def write_client_files(folder: Path, location: str, model: Any, preprocessors: Iterable[Any], onnx_config: Any) -> list[Path]:
    """Write the model's config, its generation config (generative models), its preprocessors' files and, for a
    decoder's generation graph, onnxruntime-genai's `genai_config.json`.

    Args:
        folder: Where to write them (the export's staging folder).
        location: The checkpoint folder the model was loaded from (or a hub id, when it was not cached).
        model: The exported model (PyTorch or TensorFlow).
        preprocessors: The tokenizers, image processors, feature extractors or processors the graphs were exported
            with; each distinct one is saved with `save_pretrained`, which writes a fast tokenizer's
            `tokenizer.json` even where the checkpoint has only a vocabulary.
        onnx_config: The whole export's `OnnxConfig` (its `genai_graph`).

    Returns:
        The files written, in `folder`.
    """
    before = set(folder.iterdir())
    for name in CHECKPOINT_FILES:
        if (Path(location) / name).is_file():
            shutil.copyfile(Path(location) / name, folder / name)
    if not (folder / "config.json").is_file():
        model.config.to_json_file(folder / "config.json")
    generation_config = getattr(model, "generation_config", None)
    if generation_config is not None and not (folder / "generation_config.json").is_file() and _generates(model):
        generation_config.to_json_file(folder / "generation_config.json")
    saved = []
    for preprocessor in preprocessors:
        if preprocessor is not None and all(preprocessor is not other for other in saved):
            preprocessor.save_pretrained(folder)
            saved.append(preprocessor)
    if onnx_config.genai_graph:
        config = genai_config(folder / onnx_config.genai_graph, model.config, generation_config)
        (folder / "genai_config.json").write_text(json.dumps(config, indent=4) + "\n")
    return sorted(set(folder.iterdir()) - before)


def _generates(model: Any) -> bool:
    can_generate = getattr(model, "can_generate", None)
    return bool(can_generate and can_generate())


#: The subfolder transformers.js loads graphs from (unless a caller passes `subfolder: ''`).
GRAPH_SUBFOLDER = "onnx"
#: What transformers.js adds to a graph's name for its `dtype` option.
TRANSFORMERS_JS_SUFFIXES = {"fp32": "", "fp16": "_fp16"}


def link_into_subfolder(graphs: list[Path], folder: Path, dtype: str = "fp32") -> list[Path]:
    """Give `folder/onnx/` each graph that holds its weights, as a hard link (a copy where the file system has none),
    replaced in one rename, under the name transformers.js looks for with its `dtype` option (`model.onnx`, a
    float16 graph `model_fp16.onnx`). A graph reading external data is left out: onnx refuses a data file with
    several links (its checker's guard against hardlink attacks), and transformers.js reads such a graph only with
    `subfolder: ''` anyway (a 2 GiB model, or the split decoders it does not load).

    Args:
        graphs: The `.onnx` files in `folder`, in place.
        folder: The export's folder.
        dtype: The graphs' float type, "fp32" or "fp16".

    Returns:
        The graphs' paths in the subfolder.
    """
    from .files import external_data_files

    subfolder = folder / GRAPH_SUBFOLDER
    linked = []
    for graph in graphs:
        variants = {kind: subfolder / f"{graph.stem}{TRANSFORMERS_JS_SUFFIXES[kind]}.onnx" for kind in TRANSFORMERS_JS_SUFFIXES}
        for stale in variants.values():  # an earlier export's, of another dtype or now too large
            stale.unlink(missing_ok=True)
        if external_data_files(graph):
            continue
        subfolder.mkdir(exist_ok=True)
        temporary = subfolder / f".{graph.name}.{secrets.token_hex(4)}"
        try:
            os.link(graph, temporary)
        except OSError:
            shutil.copyfile(graph, temporary)
        linked.append(temporary.replace(variants[dtype]))
    return linked


#: The merged decoder's boolean input: False on the first step (the branch of `decoder_model.onnx`), True after.
USE_CACHE_BRANCH = "use_cache_branch"


def merge_decoders(first_step: Path, next_steps: Path, output: Path):
    """One decoder graph for every step of an encoder-decoder's generation: optimum's and transformers.js's
    `decoder_model_merged.onnx`.

    The graph takes the inputs of both decoders and `use_cache_branch` (bool, shape [1]); an `If` on it runs
    `next_steps` (True) or `first_step` (False), which reads no past: a client feeds empty ones, whose heads and head
    size the graph leaves open (optimum 2.1 sizes them `hidden_size / heads`, not T5's `d_kv`). Both branches
    return `first_step`'s outputs: the later steps pass the cross-attention's past through as its present. Each
    distinct weight (same type, shape and bytes) is stored once, read by both branches. The file holds its weights
    unless they take 2 GiB or more (then `<output>_data`, `files.save_with_external_data`).

    Args:
        first_step: `decoder_model.onnx`: no past; outputs the self- and cross-attention's present.
        next_steps: `decoder_with_past_model.onnx`: the past of both attentions; outputs the self-attention's present.
        output: The `.onnx` file to write.
    """
    import onnx
    from onnx import TensorProto, helper

    from .config import EXTERNAL_DATA_FORMAT_SIZE_LIMIT
    from .files import raw_data, save_with_external_data

    first, later = onnx.load(first_step.as_posix()), onnx.load(next_steps.as_posix())
    weights: dict[bytes, TensorProto] = {}
    then_branch, else_branch = _branch(later.graph, "with_past/", weights), _branch(first.graph, "first_step/", weights)
    computed = {value.name: value for value in then_branch.output}
    del then_branch.output[:]
    for value in first.graph.output:
        branch_output = computed.get(f"with_past/{value.name}")
        if branch_output is None:  # present.N.encoder.*: the past of the cross-attention, unchanged
            branch_output = helper.make_value_info(f"with_past/{value.name}", value.type)
            past = value.name.replace("present.", "past_key_values.", 1)
            then_branch.node.append(helper.make_node("Identity", [past], [branch_output.name]))
        then_branch.output.append(branch_output)
    outputs = [value.name for value in first.graph.output]
    inputs = {value.name: value for value in [*first.graph.input, *later.graph.input]}
    for name, value in inputs.items():
        if name.startswith("past_key_values."):  # clients size the first step's empty past as they think fit
            dims = value.type.tensor_type.shape.dim
            dims[1].dim_param, dims[3].dim_param = "heads", "head_size"
    cache_branch = helper.make_tensor_value_info(USE_CACHE_BRANCH, TensorProto.BOOL, [1])
    merged_graph = helper.make_graph(
        [helper.make_node("If", [USE_CACHE_BRANCH], outputs, then_branch=then_branch, else_branch=else_branch)],
        "decoder_model_merged",
        [*inputs.values(), cache_branch],
        [_any_length(value) for value in first.graph.output],
        initializer=list(weights.values()),
    )
    merged = helper.make_model(merged_graph, opset_imports=first.opset_import, ir_version=first.ir_version)
    if sum(len(tensor.raw_data) for tensor in merged_graph.initializer) < EXTERNAL_DATA_FORMAT_SIZE_LIMIT:
        onnx.save_model(merged, output.as_posix())
    else:
        save_with_external_data(merged, output, raw_data)


def _branch(graph, prefix: str, weights: dict):
    """`graph` as an `If` branch: its values prefixed, no inputs of its own (it reads the merged graph's), and its
    initializers moved into `weights` (content → tensor), named by the first graph that holds each."""
    import hashlib

    from onnx import GraphProto
    from onnx.compose import add_prefix_graph

    branch = add_prefix_graph(graph, prefix, rename_inputs=False, rename_initializers=False)
    names, renamed = {tensor.name for tensor in weights.values()}, {}
    for tensor in branch.initializer:
        name, tensor.name = tensor.name, ""
        key = hashlib.sha256(tensor.SerializeToString()).digest()
        tensor.name = prefix + name if name in names else name
        if key not in weights:
            weights[key] = tensor
        renamed[name] = weights[key].name
    add_prefix_graph(branch, "", rename_nodes=True, rename_edges=False, rename_inputs=False, rename_outputs=False,
                     rename_initializers=False, rename_value_infos=False, inplace=True, name_map=renamed)
    return GraphProto(name=prefix.rstrip("/"), node=branch.node, output=branch.output, value_info=branch.value_info)


def _any_length(value):
    """A graph output's value info with the present's sequence axis named for both branches."""
    from onnx import ValueInfoProto

    merged = ValueInfoProto()
    merged.CopyFrom(value)
    dims = merged.type.tensor_type.shape.dim
    if value.name.startswith("present.") and ".encoder." not in value.name and len(dims) > 2:
        dims[2].dim_param = "past_decoder_sequence + decoder_sequence"
    return merged


def merged_decoder_references(first_step: "ReferenceOutputs", next_steps: "ReferenceOutputs") -> list["ReferenceOutputs"]:
    """What `merge_decoders`' graph is validated against: each split decoder's reference, fed through its branch.

    Args:
        first_step: The reference `decoder_model.onnx` was validated against.
        next_steps: The reference of `decoder_with_past_model.onnx`.

    Returns:
        The first step's (`use_cache_branch` False, an empty past) and the later steps' (True; the cross-attention's
        past is also expected back as its present).
    """
    import numpy as np

    from .convert import ReferenceOutputs

    past = {name: value for name, value in next_steps.onnx_inputs.items() if name.startswith("past_key_values.")}
    empty_past = {name: value[:, :, :0] for name, value in past.items()}
    passed_through = {name.replace("past_key_values.", "present.", 1): value for name, value in past.items() if ".encoder." in name}
    return [
        ReferenceOutputs({**first_step.onnx_inputs, **empty_past, USE_CACHE_BRANCH: np.array([False])}, first_step.outputs),
        ReferenceOutputs(
            {**first_step.onnx_inputs, **next_steps.onnx_inputs, USE_CACHE_BRANCH: np.array([True])},
            {**next_steps.outputs, **passed_through},
        ),
    ]


#: onnxruntime-genai's model class for a decoder graph with per-layer `past_key_values.N.key/value` inputs (its
#: "gpt2" type expects one combined cache tensor per layer; "phi3" restarts long prompts for LongRoPE).
GENAI_MODEL_TYPE = "llama"


def genai_config(graph: Path, model_config: Any, generation_config: Any = None) -> dict:
    """onnxruntime-genai's `genai_config.json` for a decoder's `--generation` graph, so that
    `onnxruntime_genai.Model(folder)` generates with it.

    The cache geometry (layers, key/value heads, head size) is read off the graph's past inputs; the rest from the
    model's config and generation config. The past and present are separate tensors that grow by the new tokens
    (`past_present_share_buffer` false). onnxruntime-genai counts padding at the end of a row: batch prompts are
    right-padded for it.

    Args:
        graph: The `--generation` decoder `.onnx` file (read without its weights).
        model_config: The model's `PretrainedConfig`.
        generation_config: Its `GenerationConfig`, if it has one.

    Returns:
        The JSON object.
    """
    import onnx

    inputs = {value.name: value for value in onnx.load(graph.as_posix(), load_external_data=False).graph.input}
    layers = sum(name.startswith("past_key_values.") and name.endswith(".key") for name in inputs)
    _, kv_heads, _, head_size = (dim.dim_value for dim in inputs["past_key_values.0.key"].type.tensor_type.shape.dim)
    text_config = model_config.get_text_config() if hasattr(model_config, "get_text_config") else model_config
    vocab_size = text_config.vocab_size

    def token_ids(name: str) -> list[int]:
        value = getattr(generation_config, name, None)
        value = getattr(text_config, name, None) if value is None else value
        ids = [] if value is None else [value] if isinstance(value, int) else list(value)
        return [token for token in ids if 0 <= token < vocab_size]  # onnxruntime-genai refuses others

    eos, bos, pad = token_ids("eos_token_id"), token_ids("bos_token_id"), token_ids("pad_token_id")
    context_length = getattr(text_config, "max_position_embeddings", None) or 2048
    decoder_inputs = {name: name for name in ("input_ids", "attention_mask", "position_ids") if name in inputs}
    return {
        "model": {
            "bos_token_id": (bos or pad or [0])[0],
            "context_length": context_length,
            "decoder": {
                "session_options": {"log_id": "onnxruntime-genai", "provider_options": []},
                "filename": graph.name,
                "head_size": head_size,
                "hidden_size": text_config.hidden_size,
                "inputs": {**decoder_inputs, "past_key_names": "past_key_values.%d.key", "past_value_names": "past_key_values.%d.value"},
                "outputs": {"logits": "logits", "present_key_names": "present.%d.key", "present_value_names": "present.%d.value"},
                "num_attention_heads": text_config.num_attention_heads,
                "num_hidden_layers": layers,
                "num_key_value_heads": kv_heads,
            },
            "eos_token_id": eos[0] if len(eos) == 1 else eos,
            "pad_token_id": (pad or eos or [0])[0],
            "type": GENAI_MODEL_TYPE,
            "vocab_size": vocab_size,
        },
        "search": {
            "do_sample": bool(getattr(generation_config, "do_sample", False)),
            "max_length": context_length,
            "num_beams": 1,
            "past_present_share_buffer": False,
        },
    }
