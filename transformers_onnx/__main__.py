"""`python -m transformers_onnx --model=X [options] OUT/`: export, validate, then move `OUT/model.onnx` into place.

Bad input ends with one `error: ...` line on stderr and exit code 1 (2 for bad flags); nothing is left at
`OUT/model.onnx` unless the exported graph validated. A model split into several graphs (`OnnxConfig.graphs`:
a vision encoder-decoder writes `encoder_model.onnx` and `decoder_model.onnx`) writes them only once all validated.
"""

import argparse
import contextlib
import ctypes
import io
import logging
import math
import os
import platform
import shutil
import signal
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Optional

from . import compat
from .errors import (
    ExportError,
    MissingHeadWeightsError,
    ModelLoadError,
    OpsetError,
    OutputPathError,
    PreprocessorError,
    TensorFlowTooLargeError,
    TransformersOnnxError,
    UnsupportedFeatureError,
    ValidationError,
    first_line,
)
from .optimize import QUANTIZATIONS
from .utils import _PREPROCESSOR_FILES

logger = logging.getLogger("transformers_onnx")

_PREPROCESSOR_CLASSES = {
    "tokenizer": "AutoTokenizer",
    "feature_extractor": "AutoFeatureExtractor",
    "image_processor": "AutoImageProcessor",
    "processor": "AutoProcessor",
}


def build_parser() -> argparse.ArgumentParser:
    """The CLI's flags: the legacy `transformers.onnx` ones, then this package's."""
    parser = _Parser(
        _program_name(),
        description="Export a Hugging Face Transformers model to ONNX and validate it with onnxruntime.",
    )
    parser.add_argument("-m", "--model", required=True, help="Local folder or cached hub id of the model.")
    parser.add_argument(
        "--feature", default=None, help="The feature (task) to export, e.g. sequence-classification (default: default)."
    )
    parser.add_argument(
        "--task",
        default=None,
        help="Instead of --feature: the task by its optimum / hub name (feature-extraction, fill-mask,"
        " text-classification, text-generation-with-past, text2text-generation-with-past, image-to-text, ...), or"
        " 'auto' for the head the checkpoint was saved with (--list-features shows both names).",
    )
    parser.add_argument(
        "--unlisted",
        action="store_true",
        help="Export a model type that has no row here with the family config its model's forward fits (token ids:"
        " a text encoder or a decoder; pixel_values: an image model; input_values: an audio encoder), validated like"
        " any other.",
    )
    parser.add_argument("--opset", type=int, default=None, help="ONNX opset (default: the model's default).")
    parser.add_argument("--atol", type=_tolerance, default=None, help="Absolute tolerance of the validation (> 0).")
    parser.add_argument("--framework", choices=["pt", "tf"], default=None, help="Framework to export from.")
    parser.add_argument("output", type=Path, help="Folder to write model.onnx to.")
    parser.add_argument("--cache_dir", default=None, help="Hugging Face hub cache to load the model from.")
    parser.add_argument(
        "--preprocessor",
        choices=["auto", *_PREPROCESSOR_CLASSES],
        default="auto",
        help="Which preprocessor makes the dummy inputs ('auto' detects it).",
    )
    parser.add_argument(
        "--export_with_transformers",
        action="store_true",
        help="Accepted for old scripts; has no effect (this package always does the export itself).",
    )
    parser.add_argument(
        "--optimize",
        action="store_true",
        help="Fuse attention, layer norms and GELU with onnxruntime's transformer optimizer (onnxruntime-only graph;"
        " a decoder's --generation graph also gets GroupQueryAttention; for encoders on CPU --quantize is the lever:"
        " docs/performance.md).",
    )
    parser.add_argument(
        "--quantize",
        choices=QUANTIZATIONS,
        default=None,
        help="Quantize the linear layers' weights: int8 (the default of a bare --quantize; onnxruntime dynamic"
        " quantization) or int4 (MatMulNBits, for decoder LLMs on CPU); looser validation.",
    )
    parser.add_argument(
        "--dtype",
        choices=("fp32", "fp16"),
        default="fp32",
        help="The graph's float type: fp16 converts the validated fp32 graph's weights and activations (inputs and"
        " outputs stay fp32) for GPU providers and transformers.js's fp16 variant, validated with a float16 tolerance.",
    )
    parser.add_argument(
        "--int4-block-size",
        type=int,
        choices=(16, 32, 64, 128, 256),
        default=None,
        help="With --quantize int4: weights per quantization block (default 32).",
    )
    parser.add_argument(
        "--int4-accuracy-level",
        type=int,
        choices=range(5),
        default=None,
        help="With --quantize int4: MatMulNBits' compute type on CPU, 4 = int8 activations (default 4).",
    )
    parser.add_argument(
        "--int4-embeddings",
        action="store_true",
        default=None,
        help="With --quantize int4: the embedding tables too (GatherBlockQuantized): a smaller file, a little less"
        " accurate (docs/performance.md).",
    )
    parser.add_argument(
        "--generation",
        action="store_true",
        help="With a -with-past feature: generation-ready graphs (decoders: position_ids; encoder-decoders:"
        " encoder_model.onnx, decoder_model.onnx and decoder_with_past_model.onnx): docs/generation.md.",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="Fail when the checkpoint lacks the weights of the feature's head (by default: a warning, and the"
        " export uses the random weights transformers makes).",
    )
    parser.add_argument(
        "--low-memory",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="Trace without loading the weights and copy them from the checkpoint's safetensors into the graph's"
        " data file tensor by tensor: peak memory about the largest tensor, not the model. By default PyTorch"
        " safetensors checkpoints are exported this way too (weights under 2 GiB inline in the graph), falling"
        " back to loading the weights where that is not possible; --no-low-memory always loads them.",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="Do not print the progress lines.")
    parser.add_argument(
        "--list-features",
        nargs="?",
        metavar="MODEL_TYPE",
        action=_ListFeatures,
        help="Print the features of MODEL_TYPE (of every model type if none is given) and exit.",
    )
    return parser


class _Parser(argparse.ArgumentParser):
    """Bad flags: one `error:` line; exit code 2. A bare `--quantize` is `--quantize=int8`, also before the output
    folder (`--quantize OUT/`)."""

    def parse_known_args(self, args=None, namespace=None):
        joined = []
        for arg in sys.argv[1:] if args is None else args:
            if joined and joined[-1] == "--quantize" and arg in QUANTIZATIONS:
                joined[-1] = f"--quantize={arg}"
            else:
                joined.append(arg)
        joined = [f"--quantize={QUANTIZATIONS[0]}" if arg == "--quantize" else arg for arg in joined]
        return super().parse_known_args(joined, namespace)

    def error(self, message: str):
        self.exit(2, f"error: {message} (see {self.prog} --help)\n")


class _ListFeatures(argparse.Action):
    """`--list-features [MODEL_TYPE]`: print `model type: feature (task name), feature, ...` lines and exit."""

    def __init__(self, option_strings, dest, **kwargs):
        super().__init__(option_strings, dest, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser, namespace, model_type, option_string=None):
        from .features import FeaturesManager
        from .models import canonical_model_type

        model_types = [canonical_model_type(model_type)] if model_type else sorted(FeaturesManager._SUPPORTED_MODEL_TYPE)
        try:
            features = {name: FeaturesManager.get_supported_features_for_model_type(name) for name in model_types}
            lines = [f"{name}: {', '.join(map(FeaturesManager.task_names, features[name]))}" for name in model_types]
        except TransformersOnnxError as error:
            parser.exit(1, f"error: {error}\n")
        print("\n".join(lines))
        parser.exit(0)


def _program_name() -> str:
    """How the CLI was started, for --help: the console script (`transformers-onnx`), else `python -m ...`."""
    script = Path(sys.argv[0] or "").name  # None when started through the alias, `python -m transformers.onnx`
    return script if script.startswith("transformers-onnx") else "python -m transformers_onnx"


def _tolerance(text: str) -> float:
    """`--atol`: a finite number above 0."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {text}")
    return value


def main(argv: Optional[list[str]] = None) -> int:
    """Run the CLI.

    Args:
        argv: The arguments (default: `sys.argv[1:]`).

    Returns:
        The exit code.
    """
    args = build_parser().parse_args(argv)
    with _closed_streams_ignored():
        _configure_output()
        _keep_freed_memory()
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    try:
        with _termination_interrupts(), _stdin_never_read():
            export_checkpoint(args)
    except (ExportError, ValidationError) as error:
        print(f"error: {error}{_untested_release_hint()}", file=sys.stderr)
        return 1
    except TransformersOnnxError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as interrupt:
        signum = getattr(interrupt, "signum", signal.SIGINT)
        print(f"error: interrupted by {signal.Signals(signum).name}", file=sys.stderr)
        return 128 + signum
    except Exception as error:
        if os.environ.get("TRANSFORMERS_ONNX_TRACEBACK"):
            raise
        print(
            f"error: unexpected {type(error).__name__}: {first_line(error)} "
            f"(set TRANSFORMERS_ONNX_TRACEBACK=1 to see the traceback){_untested_release_hint()}",
            file=sys.stderr,
        )
        return 1
    return 0


def _untested_release_hint() -> str:
    """`; <why>` when the installed transformers is newer than the tested ones, for the end of an error line."""
    untested = compat.untested_transformers()
    return f"; {untested}" if untested else ""


def export_checkpoint(args: argparse.Namespace) -> Path:
    """Export, validate and save the model named by parsed CLI arguments (every graph of `OnnxConfig.graphs`);
    return the first saved `.onnx` path."""
    from .clients import link_into_subfolder, write_client_files
    from .files import move_into_place, read_ahead_weights, remove_abandoned_staging, staging_folder

    read_ahead_weights(Path(args.model).expanduser())
    progress = _Progress(args.quiet)
    _check_quantize_flags(args)
    if args.task and args.feature:
        raise UnsupportedFeatureError("give --feature or --task, not both")
    if args.export_with_transformers:
        logger.info("Note: --export_with_transformers has no effect; transformers_onnx always exports itself.")
    with _writable_folder(args.output) as output_dir:
        remove_abandoned_staging(output_dir, _STAGING)
        model, whole_config, location = _load_model(args, progress)
        graphs = whole_config.graphs(model)
        opset = _opset(args, graphs, model.config.model_type)
        staging = staging_folder(output_dir, _STAGING)
        try:
            staged, preprocessors = _export_and_validate(args, graphs, whole_config, opset, location, staging, progress)
            client_files = write_client_files(staging, location, model, preprocessors, whole_config)
            saved = move_into_place(staged, output_dir)
            for client_file in client_files:
                client_file.replace(output_dir / client_file.name)
            link_into_subfolder(saved, output_dir, args.dtype)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        logger.info(f"All good, model saved at: {', '.join(path.as_posix() for path in saved)}")
        untested = compat.untested_transformers()
        if untested:
            progress(f"note: {untested}")
        return saved[0]


def _load_model(args: argparse.Namespace, progress: "_Progress") -> tuple[Any, Any, str]:
    """The model of the feature and its whole `OnnxConfig` (the config of every graph), and where it was loaded
    from; the model's config is read once, and `--optimize` checked before the weights are loaded."""
    from .features import FeaturesManager, load_model_config, locate_checkpoint, untrained_head_message
    from .models import MODELS, canonical_model_type

    location = locate_checkpoint(args.model, cache_dir=args.cache_dir)
    if not FeaturesManager.uses_tensorflow(location, args.framework):
        compat.keep_tensorflow_unloaded()
    elif Path(location).is_dir():
        from .config import EXTERNAL_DATA_FORMAT_SIZE_LIMIT
        from .files import stored_weight_bytes

        weight_bytes = stored_weight_bytes(Path(location), "tf_model.h5")
        if weight_bytes >= EXTERNAL_DATA_FORMAT_SIZE_LIMIT:
            raise TensorFlowTooLargeError(weight_bytes)
    model_config = load_model_config(location, cache_dir=args.cache_dir, unlisted=args.unlisted)
    row = MODELS[canonical_model_type(model_config.model_type)]
    if row.tiny is None:
        progress(f"note: {row.model_type} has no row: exporting it with {row.config} (--unlisted), validated as any other")
    args.feature = _feature(args, model_config)
    _check_generation_flags(args)
    config_constructor = FeaturesManager.get_config_constructor(model_config.model_type, args.feature)
    if args.optimize:
        from .optimize import check_optimizable

        check_optimizable(model_config.model_type)
    progress(f"loading {args.model} ({model_config.model_type}) for feature {args.feature}")
    model = _model_without_weights(args, location, model_config, progress)
    untrained = []
    if model is None:
        model, untrained = FeaturesManager.load_model_for_feature(
            args.feature, location, framework=args.framework, cache_dir=args.cache_dir, model_config=model_config
        )
    if untrained and args.strict:
        raise MissingHeadWeightsError(
            f"{untrained_head_message(args.feature, args.model, untrained)}: export a checkpoint fine-tuned for"
            " it, another --feature, or drop --strict to export random head weights"
        )
    if untrained:
        print(f"warning: {untrained_head_message(args.feature, args.model, untrained)}: the export uses random"
              " ones (--strict makes this an error)", file=sys.stderr)
    generation = {"generation": True} if args.generation else {}
    return model, config_constructor(model.config, **generation), location


def _model_without_weights(args: argparse.Namespace, location: str, model_config: Any, progress: "_Progress") -> Any:
    """The model with its weights left in the checkpoint (`checkpoint_weights`), or None when the weights are to
    be loaded (`--no-low-memory`, no safetensors, TensorFlow). By default a checkpoint that cannot be read tensor
    by tensor falls back to loading them (with a note from 2 GiB on), and a graph whose weights are under 2 GiB
    holds them inline as a loaded model's would; `--low-memory` makes the fallback an error and always writes the
    weights into the graph's data file, so that they are never all in memory."""
    from .config import EXTERNAL_DATA_FORMAT_SIZE_LIMIT
    from .features import FeaturesManager
    from .files import stored_weight_bytes

    if args.low_memory is False:
        return None
    folder = Path(location)
    stored = stored_weight_bytes(folder, "model.safetensors") if folder.is_dir() else 0
    if not (args.low_memory or stored):
        return None
    if FeaturesManager.determine_framework(location, args.framework) != "pt":
        if args.low_memory:
            raise UnsupportedFeatureError("--low-memory reads a PyTorch checkpoint's safetensors: drop --framework tf")
        return None
    from .checkpoint_weights import WeightsNotInCheckpoint
    from .pytorch_backend import load_model_without_weights

    large = stored >= EXTERNAL_DATA_FORMAT_SIZE_LIMIT
    model_class = FeaturesManager.get_model_class_for_model_type(model_config.model_type, args.feature, "pt")
    inline_below = 0 if args.low_memory else EXTERNAL_DATA_FORMAT_SIZE_LIMIT
    bar = progress.bar("writing the weights") if args.low_memory or large else None  # a second or two below 2 GiB
    try:
        model = load_model_without_weights(model_class, location, model_config, bar, inline_below=inline_below)
    except WeightsNotInCheckpoint as error:
        if args.low_memory:
            raise ModelLoadError(f"--low-memory: {error}") from error
        if large:
            progress(f"note: {error}: loading the weights")
        return None
    if args.low_memory or large:
        progress("the weights stay in the checkpoint until the export copies them, tensor by tensor (--low-memory)")
        _return_freed_memory()
    return model


def _feature(args: argparse.Namespace, model_config: Any) -> str:
    """The feature to export: `--feature`, or `--task` (either spelling, or `auto`) with the past that
    `--generation` needs; `default` when neither is given."""
    from .features import FeaturesManager

    if not args.task:
        return args.feature or "default"
    model_type = model_config.model_type
    if args.task == "auto":
        feature = FeaturesManager.infer_feature(model_config)
    else:
        feature = FeaturesManager.feature_for_task(args.task, model_type)
    with_past = f"{feature}-with-past"
    if args.generation and with_past in FeaturesManager.get_supported_features_for_model_type(model_type):
        return with_past
    return feature


def _opset(args: argparse.Namespace, graphs: list, model_type: str) -> int:
    """`--opset`, or the graphs' default; at least the graphs' lowest."""
    minimum_opset = max(onnx_config.default_onnx_opset for _, _, onnx_config in graphs)
    opset = args.opset if args.opset is not None else _default_opset(minimum_opset, graphs)
    if opset < minimum_opset:
        raise OpsetError(f"Opset {opset} is not sufficient to export {model_type}. At least {minimum_opset} is required.")
    return opset


def _export_and_validate(
    args: argparse.Namespace, graphs: list, whole_config: Any, opset: int, location: str, staging: Path, progress: "_Progress"
) -> tuple[list[Path], list[Any]]:
    """Export every graph into `staging`, then validate each (and optimize or quantize it) once the framework's
    weights are released; return the staged graphs and the preprocessors they were exported with."""
    from .convert import check_onnx_outputs, compute_reference_outputs, export_graph, release_weights
    from .files import data_file_of, share_weights

    if _uses_large_model_exporter(opset, graphs):
        data_files = ", ".join(data_file_of(Path(file_name)).name for file_name, _, _ in graphs)
        progress(f"fp32 weights of 2 GiB or more: exporting with torch's dynamo exporter at opset {opset}, into {data_files}")
    checks, preprocessors = [], []
    for number, (file_name, model, onnx_config) in enumerate(graphs, 1):
        progress(f"exporting graph {number}/{len(graphs)}: {file_name} (opset {opset})")
        try:
            preprocessor = _load_preprocessor(onnx_config.preprocessor_kind or args.preprocessor, location)
        except PreprocessorError:
            if onnx_config.needs_preprocessor:
                raise
            preprocessor = None  # the config makes its dummy inputs from the model's config
        preprocessors.append(preprocessor)
        _, onnx_outputs = export_graph(preprocessor, model, onnx_config, opset, staging / file_name)
        atol = args.atol if args.atol is not None else onnx_config.atol_for_validation
        checks.append((staging / file_name, compute_reference_outputs(onnx_config, preprocessor, model), onnx_outputs, atol))
    if whole_config.shared_weights:
        share_weights([staging / file_name for file_name in whole_config.shared_weights])
    for _, model, _ in graphs:
        release_weights(model)  # the framework's weights go before onnxruntime maps the graph's
    for number, (staged, reference, onnx_outputs, atol) in enumerate(checks, 1):
        progress(f"validating graph {number}/{len(checks)}: {staged.name}")
        logger.info("Validating ONNX model...")
        check_onnx_outputs(reference, staged, onnx_outputs, atol)
        half = args.dtype == "fp16"
        if args.optimize or args.quantize or half:
            from .optimize import INT4_ACCURACY_LEVEL, INT4_BLOCK_SIZE, optimize_and_quantize

            asked = (("optimizing", args.optimize), ("quantizing", args.quantize), ("converting to fp16", half))
            progress(f"{' and '.join(step for step, wanted in asked if wanted)} graph {number}/{len(checks)}: {staged.name}")
            optimize_and_quantize(
                staged,
                graphs[number - 1][1].config,
                optimize_graph=args.optimize,
                quantize_graph=args.quantize or ("fp16" if half else None),
                validate=lambda graph, tolerance: check_onnx_outputs(reference, graph, onnx_outputs, tolerance),
                atol=atol,
                quantized_atol=args.atol,
                block_size=args.int4_block_size or INT4_BLOCK_SIZE,
                accuracy_level=INT4_ACCURACY_LEVEL if args.int4_accuracy_level is None else args.int4_accuracy_level,
                embeddings=bool(args.int4_embeddings),
            )
    staged = [staged for staged, _, _, _ in checks]
    if whole_config.merged_decoder:
        staged.append(_merge_decoders(whole_config.merged_decoder, checks, staging, progress))
    return staged, preprocessors


def _merge_decoders(names: tuple[str, str, str], checks: list, staging: Path, progress: "_Progress") -> Path:
    """Write the merged decoder of two validated decoders, and validate each of its branches like them."""
    from .clients import merge_decoders, merged_decoder_references
    from .convert import check_onnx_outputs

    merged, first_step, next_steps = (staging / name for name in names)
    progress(f"merging {first_step.name} and {next_steps.name} into {merged.name}")
    merge_decoders(first_step, next_steps, merged)
    validated = {staged.name: (reference, onnx_outputs, atol) for staged, reference, onnx_outputs, atol in checks}
    (first_reference, onnx_outputs, atol), (next_reference, _, _) = validated[first_step.name], validated[next_steps.name]
    for reference in merged_decoder_references(first_reference, next_reference):
        logger.info("Validating ONNX model...")
        check_onnx_outputs(reference, merged, onnx_outputs, atol)
    return merged


def _check_quantize_flags(args: argparse.Namespace):
    if args.dtype == "fp16" and args.quantize:
        raise UnsupportedFeatureError(f"--dtype fp16 and --quantize {args.quantize} are two ways to store the weights: pick one")
    int4_flags = (
        ("--int4-block-size", args.int4_block_size), ("--int4-accuracy-level", args.int4_accuracy_level),
        ("--int4-embeddings", args.int4_embeddings),
    )
    for flag, value in int4_flags:
        if value is not None and args.quantize != "int4":
            raise UnsupportedFeatureError(f"{flag} needs --quantize int4")


def _check_generation_flags(args: argparse.Namespace):
    if not args.generation:
        return
    if not args.feature.endswith("-with-past"):
        raise UnsupportedFeatureError(
            f"--generation needs a -with-past feature (e.g. causal-lm-with-past, seq2seq-lm-with-past), not {args.feature}"
        )
    if (args.optimize or args.quantize or args.dtype != "fp32") and args.feature != "causal-lm-with-past":
        raise UnsupportedFeatureError(
            "--generation combines with --optimize, --quantize or --dtype fp16 for causal-lm-with-past only (one graph)"
        )
    if args.framework == "tf":
        raise UnsupportedFeatureError("--generation exports from PyTorch only: drop --framework tf")


#: The CLI stages its graphs in `OUT/.transformers_onnx.<pid>.<random>/`.
_STAGING = "transformers_onnx"


def _default_opset(minimum_opset: int, graphs: list) -> int:
    """The model's own default opset, raised to the large-model exporter's for models needing external data
    (2 GiB and more), which then export with about half the peak memory (docs/architecture.md)."""
    from .pytorch_backend import LARGE_MODEL_OPSET

    return max(minimum_opset, LARGE_MODEL_OPSET) if _needs_external_data(graphs) else minimum_opset


def _needs_external_data(graphs: list) -> bool:
    """Whether the graphs hold 2 GiB or more of weights that are in memory (not left in the checkpoint)."""
    return any(
        config.use_external_data_format(model.num_parameters()) and not _weights_in_checkpoint(model)
        for _, model, config in graphs
    )


def _weights_in_checkpoint(model: Any) -> bool:
    from .convert import framework_of

    if framework_of(model) != "pt":
        return False
    from .checkpoint_weights import has_placeholders

    return has_placeholders(model)


def _uses_large_model_exporter(opset: int, graphs: list) -> bool:
    """Whether `pytorch_backend.export` switches to the dynamo exporter for these graphs."""
    from .convert import framework_of
    from .pytorch_backend import LARGE_MODEL_OPSET

    pytorch = all(framework_of(model) == "pt" for _, model, _ in graphs)
    return pytorch and opset >= LARGE_MODEL_OPSET and _needs_external_data(graphs)


class _Progress:
    """Prints one line per stage on stderr, `[  2.4 s] exporting graph 1/1: model.onnx (opset 14)`, with the
    seconds since the run started; nothing with `--quiet`. The legacy validation report goes to the logger."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.started = time.monotonic()

    def __call__(self, stage: str):
        if not self.quiet:
            print(f"[{time.monotonic() - self.started:5.1f} s] {stage}", file=sys.stderr, flush=True)

    def bar(self, stage: str):
        """A callback of (done, total) bytes drawing `stage` as a bar: redrawn in place on a terminal, a line per
        tenth elsewhere (a log file)."""
        shown = {"tenth": -1, "done": 0}

        def update(done: int, total: int):
            if self.quiet or not total:
                return
            if done < shown["done"]:  # the next graph's weights
                shown["tenth"] = -1
            shown["done"], fraction = done, done / total
            line = (
                f"[{time.monotonic() - self.started:5.1f} s] {stage} [{'#' * int(fraction * 20):<20}]"
                f" {fraction:4.0%} ({done / 1e9:.2f} of {total / 1e9:.2f} GB)"
            )
            if sys.stderr.isatty():
                print(f"\r{line}", end="\n" if done >= total else "", file=sys.stderr, flush=True)
            elif int(fraction * 10) > shown["tenth"]:
                shown["tenth"] = int(fraction * 10)
                print(line, file=sys.stderr, flush=True)

        return update


@contextlib.contextmanager
def _writable_folder(output: Path) -> Iterator[Path]:
    """`output`, created with its missing parents if need be; when the export fails, the folders it created are
    removed again if still empty, so that a failed run leaves the file system as it found it."""
    if output.exists() and not output.is_dir():
        raise OutputPathError(f"output {output} is a file: give the folder to write model.onnx into")
    created = [path for path in (output, *output.parents) if not path.exists()]  # the deepest first
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputPathError(f"cannot create output folder {output}: {error.strerror or error}") from error
    try:
        if not os.access(output, os.W_OK | os.X_OK):
            raise OutputPathError(f"output folder {output} is not writable")
        yield output
    except BaseException:
        for path in created:
            with contextlib.suppress(OSError):  # not empty
                path.rmdir()
        raise


def _load_preprocessor(kind: str, location: str):
    import transformers

    from .utils import get_preprocessor

    missing = PreprocessorError(
        f"no tokenizer, image processor or feature extractor found in {location}: save the model's"
        " preprocessor next to it with save_pretrained, or choose one with --preprocessor"
    )
    if kind == "auto":
        preprocessor = get_preprocessor(location)
        if preprocessor is None:
            raise missing
        return preprocessor
    if Path(location).is_dir() and not any((Path(location) / name).is_file() for name in _PREPROCESSOR_FILES):
        raise missing
    try:
        return getattr(transformers, _PREPROCESSOR_CLASSES[kind]).from_pretrained(location, trust_remote_code=False)
    except Exception as error:
        raise PreprocessorError(f"cannot load a {kind} from {location}: {first_line(error)}") from error


class _Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised in the main thread like SIGINT's KeyboardInterrupt so that they clean up alike."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


#: The signals that end a run like Ctrl-C: the staging folders are removed and the exit code is 128 + signal.
_TERMINATION_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


@contextlib.contextmanager
def _termination_interrupts():
    """Turn SIGTERM and SIGHUP into `_Terminated` for the duration (main thread only: elsewhere Python cannot
    install handlers). A second one while the first unwinds is ignored, so the clean-up runs to its end."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        for each in _TERMINATION_SIGNALS:
            signal.signal(each, signal.SIG_IGN)
        raise _Terminated(signum)

    previous = {each: signal.signal(each, interrupt) for each in _TERMINATION_SIGNALS}
    try:
        yield
    finally:
        for each, handler in previous.items():
            signal.signal(each, handler)


@contextlib.contextmanager
def _stdin_never_read():
    """Give the run an empty stdin: nothing (e.g. transformers' "run the custom code? [y/N]" prompt, which
    `trust_remote_code=False` already avoids) can read an answer from what the caller piped in."""
    original, sys.stdin = sys.stdin, io.StringIO()
    try:
        yield
    finally:
        sys.stdin = original


class _ClosedStreamSafe:
    """A text stream whose writes and flushes succeed after its reader went away (`... 2>&1 | head -1`): from the
    first failed write on, its file descriptor is pointed at the null device, so Python's writes and the native
    libraries' alike go nowhere and the export goes on."""

    def __init__(self, stream: Any, fd: int):
        self._stream, self._fd = stream, fd

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except (OSError, ValueError):  # EPIPE, EBADF; ValueError: the stream object was closed
            self._discard()
            return len(text)

    def flush(self):
        try:
            self._stream.flush()
        except (OSError, ValueError):
            self._discard()

    def _discard(self):
        if self._fd >= 0:
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, self._fd)
            os.close(null)
        self._stream = open(os.devnull, "w")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextlib.contextmanager
def _closed_streams_ignored():
    """Let the run finish when stdout or stderr is closed, before the start (`2>&-`) or during it (a pipe whose
    reader exits). A standard descriptor closed at the start is opened on the null device first, so no file the
    export opens can take its number."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)  # the lowest free number: `fd` itself, unless a lower one is free
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
    originals = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = (
        _ClosedStreamSafe(stream if stream is not None else open(os.devnull, "w"), fd)
        for stream, fd in ((sys.stdout, _fd_of(sys.stdout, 1)), (sys.stderr, _fd_of(sys.stderr, 2)))
    )
    try:
        yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        sys.stdout, sys.stderr = originals


def _fd_of(stream: Any, default: int) -> int:
    """The stream's file descriptor; -1 for an in-memory stream (a test's capture), `default` when it is None."""
    if stream is None:
        return default
    try:
        return stream.fileno()
    except (OSError, ValueError, AttributeError):
        return -1


#: `mallopt` parameters (glibc's malloc.h).
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3


def _keep_freed_memory():
    """With glibc, keep freed heap memory in the process for reuse instead of returning it to the kernel.
    The exporters copy the weights several times; giving each copy back only to fault fresh pages in again
    made a bert-base export 15 % slower here (median of 5: 12.2 s against 10.4 s; 1.5 M page faults against
    0.7 M). The peak memory is unchanged."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return
    libc = ctypes.CDLL(None)
    libc.mallopt(_M_TRIM_THRESHOLD, 2**31 - 1)
    libc.mallopt(_M_MMAP_THRESHOLD, 32 * 2**20)  # glibc's largest: bigger blocks are still mapped one by one


def _return_freed_memory():
    """Undo `_keep_freed_memory` (glibc's defaults): with `--low-memory` the process's own memory is what is saved."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return
    libc = ctypes.CDLL(None)
    libc.mallopt(_M_TRIM_THRESHOLD, 128 * 2**10)
    libc.mallopt(_M_MMAP_THRESHOLD, 128 * 2**10)
    libc.malloc_trim(0)


def _configure_output():
    """Report on stderr like the legacy CLI; keep third-party warnings and logs out of it."""
    for previous in [handler for handler in logger.handlers if getattr(handler, "cli_report", False)]:
        logger.removeHandler(previous)  # a second main() in one process reports once, to the current stderr
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    handler.cli_report = True
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    warnings.simplefilter("ignore")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def cli():
    """`python -m transformers_onnx` and the `transformers-onnx` command: `main`, then the process ends at once with
    its exit code, its output flushed. Skipping the interpreter's teardown of torch, transformers and onnxruntime
    saves ~1 s per run (a 122M-parameter export: 10.2 s against 9.0 s); nothing of the export is left to it."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:  # None: the descriptor was closed at the start
                stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: nothing more can reach it
            pass
    os._exit(code)


if __name__ == "__main__":
    cli()
