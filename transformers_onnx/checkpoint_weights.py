"""Export a PyTorch model whose weights stay in its checkpoint: never all in memory, whatever their size.

`pytorch_backend.load_model_without_weights` builds the model with every parameter on the meta device
(`parameters_on_meta`), then gives each a placeholder (`leave_weights_in_checkpoint`): a real tensor of the
parameter's shape and dtype holding one value (a stride-0 view, a few bytes), tagged with the safetensors tensor it
stands for. The TorchScript tracer runs on placeholders like on any weight.
The graph is exported with the parameters as graph inputs (`export_params=False`); `write_weights` turns them into
initializers whose bytes are copied from the checkpoint one tensor at a time, in the layout the graph reads (a
weight the graph transposes is written transposed, as constant folding would have), into one page-aligned
`<name>_data` file that onnxruntime maps rather than copies. Where the graph's weights go to that file whatever
they take (`SafetensorsCheckpoint.writes_data_file`), those of linear layers and embeddings are written while the
trace runs, as it reaches them (`writing_while_tracing`), in the layout their exported op reads. For the reference
run (`mapped_weights`), the placeholders hold the checkpoint's tensors mapped from its files: pages the kernel reads
as they are used and drops again when memory is short. Memory the process holds: the largest tensor and the
activations, not the model.
"""

import contextlib
import json
import math
import mmap
import struct
import threading
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Callable, Optional

import torch

from . import compat
from .errors import ModelLoadError
from .files import ExternalDataWriter

#: safetensors' dtype names.
_DTYPES = {
    "F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
    "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8, "BOOL": torch.bool,
}


#: ONNX's element types of torch's dtypes.
_ONNX_TYPES = {
    torch.float64: 11, torch.float32: 1, torch.float16: 10, torch.bfloat16: 16,
    torch.int64: 7, torch.int32: 6, torch.int16: 5, torch.int8: 3, torch.uint8: 2, torch.bool: 9,
}
#: The largest safetensors header read (the format's own limit is 100 MB).
_HEADER_LIMIT = 100 * 2**20
#: How much of a weight is converted or transposed in memory at a time while it is written.
_CHUNK_BYTES = 64 * 2**20
#: Columns of a transposed matrix copied at a time by `_contiguous`.
_TRANSPOSE_BLOCK = 256


class WeightsNotInCheckpoint(ModelLoadError):
    """The model cannot be exported from its checkpoint tensor by tensor (no safetensors, or weights the
    checkpoint does not hold as the model's parameters); the caller loads the weights instead."""


class SafetensorsCheckpoint:
    """Where each tensor of a checkpoint's safetensors files lies, read from their headers; `read` loads one."""

    def __init__(self, folder: Path, progress: Optional[Callable[[int, int], None]] = None, inline_below: int = 0):
        folder = Path(folder)
        #: Called with (bytes written, bytes in all) as `write_weights` writes a graph's weights.
        self.progress = progress
        #: A graph whose weights take fewer bytes holds them inline (one `.onnx` file); others in `<name>_data`.
        self.inline_below = inline_below
        index = folder / "model.safetensors.index.json"
        if index.is_file():
            files = sorted(set(json.loads(index.read_text())["weight_map"].values()))
        elif (folder / "model.safetensors").is_file():
            files = ["model.safetensors"]
        else:
            raise WeightsNotInCheckpoint(f"{folder} holds no model.safetensors")
        self.tensors: dict[str, tuple[Path, torch.dtype, tuple[int, ...], int, int]] = {}
        self._maps: dict[Path, mmap.mmap] = {}
        self._mapping = threading.Lock()  # the weights are written from a thread of their own
        for name in files:
            self._read_header(folder / name)

    @property
    def writes_data_file(self) -> bool:
        """Whether every graph exported from this checkpoint keeps its weights in a data file, whatever its own
        weights take: they are known to before the trace (as transformers.onnx decided by the whole model's size)."""
        return self.inline_below == 0 or sum(entry[4] for entry in self.tensors.values()) >= self.inline_below

    def _read_header(self, path: Path):
        """Note where each tensor of one safetensors file lies; a file that is not safetensors raises."""
        not_safetensors = WeightsNotInCheckpoint(f"{path.name} is not a safetensors file")
        try:
            size = path.stat().st_size
            with open(path, "rb") as stored:
                (header_size,) = struct.unpack("<Q", stored.read(8))
                if header_size > min(size - 8, _HEADER_LIMIT):
                    raise not_safetensors
                header = json.loads(stored.read(header_size))
            for key, entry in header.items():
                if key == "__metadata__":
                    continue
                start, end = entry["data_offsets"]
                dtype = _DTYPES.get(entry["dtype"])
                if dtype is None:
                    raise WeightsNotInCheckpoint(f"{path.name} stores {key} as {entry['dtype']}")
                shape, offset = tuple(int(extent) for extent in entry["shape"]), 8 + header_size + start
                if not 0 <= start <= end or offset + (end - start) > size or math.prod(shape) * dtype.itemsize != end - start:
                    raise not_safetensors
                self.tensors[key] = (path, dtype, shape, offset, end - start)
        except WeightsNotInCheckpoint:
            raise
        except (OSError, struct.error, ValueError, KeyError, TypeError, AttributeError):
            raise not_safetensors from None

    def mapped(self, key: str) -> torch.Tensor:
        """The tensor `key` as a view of its file mapped into memory (copy-on-write): its pages are read as they
        are used, and the kernel can drop them again when memory is short."""
        path, dtype, shape, offset, length = self.tensors[key]
        if not length:
            return torch.empty(shape, dtype=dtype)
        with self._mapping:
            if path not in self._maps:
                with open(path, "rb") as stored:
                    self._maps[path] = mmap.mmap(stored.fileno(), 0, access=mmap.ACCESS_COPY)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "non-writable buffer": copy-on-write pages are writable
            values = torch.frombuffer(self._maps[path], dtype=dtype, count=length // dtype.itemsize, offset=offset)
        return values.reshape(shape)

    def release(self, key: str):
        """Let go of the mapped pages of the tensor `key` (they stay in the page cache, out of this process)."""
        path, _, _, offset, length = self.tensors[key]
        if path in self._maps and length:
            start = offset - offset % mmap.PAGESIZE
            self._maps[path].madvise(mmap.MADV_DONTNEED, start, offset + length - start)

    def read(self, key: str) -> torch.Tensor:
        """The tensor `key`, read from its file (one copy, in the checkpoint's dtype)."""
        path, dtype, shape, offset, length = self.tensors[key]
        buffer = bytearray(length)
        with open(path, "rb") as stored:
            stored.seek(offset)
            stored.readinto(buffer)
        if not length:
            return torch.empty(shape, dtype=dtype)
        return torch.frombuffer(buffer, dtype=dtype).reshape(shape)


def leave_weights_in_checkpoint(model: torch.nn.Module, checkpoint: SafetensorsCheckpoint):
    """Give each parameter of a model built on the meta device (`parameters_on_meta`) its placeholder, and each
    buffer the checkpoint holds its stored value.

    Raises:
        WeightsNotInCheckpoint: a parameter the checkpoint does not hold at its shape.
    """
    stored = compat.checkpoint_keys(model, checkpoint.tensors)
    keys = _parameter_keys(model, stored, checkpoint)
    placeholders = {}
    for module_name, module in model.named_modules():
        for name, parameter in list(module._parameters.items()):
            if parameter is None:
                continue
            if id(parameter) not in placeholders:
                key = keys[f"{module_name}.{name}".lstrip(".")]
                placeholders[id(parameter)] = _placeholder(parameter, checkpoint, key, len(placeholders))
            module._parameters[name] = placeholders[id(parameter)]
    names_of: dict[int, list[str]] = {}  # a buffer shared by modules has a name in each (SAM's positional embedding)
    for name, buffer in model.named_buffers(remove_duplicate=False):
        names_of.setdefault(id(buffer), []).append(name)
    held = [
        (module, name, buffer) for module in model.modules() for name, buffer in module._buffers.items() if buffer is not None
    ]
    values: dict[int, torch.Tensor] = {}
    for module, name, buffer in held:
        if id(buffer) not in values:
            aliases = names_of[id(buffer)]
            key = next((stored[alias] for alias in aliases if alias in stored), None)
            if key is not None and checkpoint.tensors[key][2] == tuple(buffer.shape):
                values[id(buffer)] = checkpoint.read(key).to(buffer.dtype)
            elif buffer.device.type == "meta":
                raise WeightsNotInCheckpoint(f"{aliases[0]} is computed from the weights as the model is built")
            else:
                values[id(buffer)] = buffer
        module._buffers[name] = values[id(buffer)]
    model.tie_weights()  # as from_pretrained ends: transformers 4.57's SAM copies a shared buffer into a second module


def has_placeholders(model: torch.nn.Module) -> bool:
    """Whether the model's weights stay in its checkpoint (`leave_weights_in_checkpoint`)."""
    return any(_source(parameter) for parameter in model.parameters())


@contextlib.contextmanager
def mapped_weights(model: torch.nn.Module) -> Iterator[None]:
    """Inside, the placeholders hold the checkpoint's values, mapped from its files (converted to the model's
    dtype where the checkpoint's differs, which holds them in memory): the model runs as loaded."""
    placeholders = {id(parameter): parameter for parameter in model.parameters() if _source(parameter)}.values()
    values = [parameter.data for parameter in placeholders]
    try:
        for parameter in placeholders:
            checkpoint, key = _source(parameter)
            parameter.data = checkpoint.mapped(key).to(parameter.dtype)
        yield
    finally:
        for parameter, value in zip(placeholders, values):
            parameter.data = value
            checkpoint, key = _source(parameter)
            checkpoint.release(key)  # before onnxruntime maps the graph's copy


def write_weights(onnx_file: Path, tensors: dict[str, torch.Tensor], writer: Optional[ExternalDataWriter] = None):
    """Turn the graph inputs that are the traced module's parameters and buffers into initializers: a placeholder's
    bytes read from the checkpoint, a buffer's its own.

    Args:
        onnx_file: A graph exported with `export_params=False`; rewritten with its weights in `<name>_data`, or
            inline when they take fewer bytes than the checkpoint's `inline_below` and no `writer` is given.
        tensors: The parameters and buffers of the traced module by name (their graph input names); the
            checkpoint's `progress` hears of the bytes written.
        writer: The data file's writer, holding what it wrote during the trace (`writing_while_tracing`).
    """
    import onnx

    from .files import raw_data, save_with_weights_inline

    graph = onnx.load(onnx_file.as_posix(), load_external_data=False)
    weights = {value.name: tensors[value.name] for value in graph.graph.input if value.name in tensors}
    kept_inputs = [value for value in graph.graph.input if value.name not in weights]
    del graph.graph.input[:]
    graph.graph.input.extend(kept_inputs)
    layouts = {name: (weight, None) for name, weight in weights.items()}
    for node in list(graph.graph.node):  # Transpose(weight) becomes a transposed weight
        if node.op_type == "Transpose" and node.input[0] in weights:
            perm = next((list(attribute.ints) for attribute in node.attribute if attribute.name == "perm"), None)
            layouts[node.output[0]] = (weights[node.input[0]], perm or list(range(weights[node.input[0]].dim()))[::-1])
            graph.graph.node.remove(node)
    read = {value for node in graph.graph.node for value in node.input} | {value.name for value in graph.graph.output}
    layouts = {name: layout for name, layout in layouts.items() if name in read}
    for name, (weight, perm) in layouts.items():
        shape = list(weight.shape) if perm is None else [weight.shape[axis] for axis in perm]
        graph.graph.initializer.append(onnx.TensorProto(name=name, data_type=_ONNX_TYPES[weight.dtype], dims=shape))
    checkpoint = _checkpoint_of(weight for weight, _ in layouts.values())
    progress = checkpoint.progress if checkpoint else None
    weight_bytes = sum(map(_byte_size, layouts.values()))
    if writer is None and checkpoint and weight_bytes < checkpoint.inline_below:
        written = 0

        def counted(chunks: Iterator[memoryview]) -> Iterator[memoryview]:
            nonlocal written
            for chunk in chunks:
                yield chunk
                written += chunk.nbytes
                if progress:
                    progress(written, weight_bytes)

        def payload(initializer) -> Optional[Iterator[memoryview]]:
            return counted(_chunks(*layouts[initializer.name])) if initializer.name in layouts else raw_data(initializer)

        save_with_weights_inline(graph, onnx_file, payload, lambda initializer: _byte_size(layouts.get(initializer.name)))
        return
    with contextlib.ExitStack() as stack:
        writer = writer or stack.enter_context(ExternalDataWriter(onnx_file))
        keys, sizes = {}, {}
        for initializer in graph.graph.initializer:
            if initializer.name in layouts:
                layout = layouts[initializer.name]
                keys[initializer.name] = _layout_key(*layout) or initializer.name
                writer.add(keys[initializer.name], lambda layout=layout: _chunks(*layout))
                sizes[keys[initializer.name]] = _byte_size(layout)
            else:
                keys[initializer.name] = initializer.name
                writer.add(initializer.name, lambda initializer=initializer: raw_data(initializer))
                sizes[initializer.name] = len(initializer.raw_data)
        total = sum(sizes.values())
        writer.save(graph, onnx_file, keys, progress and (lambda written: progress(written, total)))


class _WrittenAsTraced(torch.overrides.TorchFunctionMode):
    """Hands the writer each placeholder a linear layer or an embedding reads, as the trace reaches it, in the layout
    its exported op reads: TorchScript exports `linear` as a MatMul by the transposed weight (or, for a matrix
    input and a bias, as a Gemm that reads it as stored: left to `write_weights`), an embedding as a Gather from
    the weight as stored. A layout the graph turns out not to read is skipped if not yet begun, else left unread in
    the data file (tests/test_low_memory.py checks that none is); the graph's other weights are written after the
    trace."""

    def __init__(self, writer: ExternalDataWriter):
        super().__init__()
        self.writer = writer

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func is torch.nn.functional.linear:
            weight, bias = _argument(args, kwargs, 1, "weight"), _argument(args, kwargs, 2, "bias")
            if not (_argument(args, kwargs, 0, "input").dim() == 2 and bias is not None):
                self._ahead(weight, [1, 0])
        elif func is torch.nn.functional.embedding:
            self._ahead(_argument(args, kwargs, 1, "weight"), None)
        return func(*args, **kwargs)

    def _ahead(self, weight: Any, perm: Optional[list[int]]):
        key = _layout_key(weight, perm) if isinstance(weight, torch.Tensor) else None
        if key is not None:
            self.writer.add(key, lambda: _chunks(weight, perm))


@contextlib.contextmanager
def data_file_writer(model: torch.nn.Module, onnx_file: Path) -> Iterator[Optional[ExternalDataWriter]]:
    """The writer of `onnx_file`'s data file when the model's weights stay in a checkpoint whose graphs keep their
    weights in one whatever they take (`SafetensorsCheckpoint.writes_data_file`); None otherwise. Its partial file
    is removed if the block raises."""
    checkpoint = _checkpoint_of(model.parameters())
    if checkpoint is None or not checkpoint.writes_data_file:
        yield None
        return
    with ExternalDataWriter(onnx_file) as writer:
        yield writer


@contextlib.contextmanager
def writing_while_tracing(writer: Optional[ExternalDataWriter]) -> Iterator[None]:
    """Inside (around the trace), the weights of linear layers and embeddings go to `writer` as the trace reads
    them (`_WrittenAsTraced`), so that writing them overlaps tracing; nothing happens without a writer."""
    if writer is None:
        yield
        return
    with _WrittenAsTraced(writer):
        yield


@contextlib.contextmanager
def parameters_on_meta() -> Iterator[None]:
    """Every parameter registered inside goes to the meta device (buffers stay real: their values are computed)."""
    register = torch.nn.Module.register_parameter

    def register_on_meta(module, name, parameter):
        if parameter is not None and parameter.device.type != "meta":
            parameter = torch.nn.Parameter(parameter.to("meta"), requires_grad=parameter.requires_grad)
        register(module, name, parameter)

    torch.nn.Module.register_parameter = register_on_meta
    try:
        yield
    finally:
        torch.nn.Module.register_parameter = register


def _parameter_keys(
    model: torch.nn.Module, stored: dict[str, str], checkpoint: SafetensorsCheckpoint
) -> dict[str, str]:
    """The checkpoint key of each parameter (`stored`: of each state-dict key), by every name it has (tied weights
    have two names and are stored once)."""
    names_of: dict[int, list[str]] = {}
    for name, parameter in model.named_parameters(remove_duplicate=False):
        names_of.setdefault(id(parameter), []).append(name)
    keys, absent = {}, []
    for name, parameter in model.named_parameters(remove_duplicate=False):
        key = next((stored[alias] for alias in names_of[id(parameter)] if alias in stored), None)
        if key is None or checkpoint.tensors[key][2] != tuple(parameter.shape):
            absent.append(name)
        keys[name] = key
    if absent:
        shown = ", ".join(absent[:3]) + (f" and {len(absent) - 3} more" if len(absent) > 3 else "")
        raise WeightsNotInCheckpoint(f"the checkpoint does not hold {shown} as the model has them")
    return keys


def _placeholder(parameter: torch.nn.Parameter, checkpoint: SafetensorsCheckpoint, key: str, number: int):
    """A parameter of `parameter`'s shape and dtype holding one value, that knows which checkpoint tensor it stands
    for. The values differ from parameter to parameter (as far as the dtype tells them apart): TorchScript merges
    inputs of equal values, should it ever read them (`compat.parameters_unread_by_torchscript`)."""
    value = torch.full((), 1 + number * 1e-3, dtype=parameter.dtype)
    placeholder = torch.nn.Parameter(value.expand(parameter.shape), requires_grad=False)
    placeholder.checkpoint_source = (checkpoint, key)
    return placeholder


def _layout_key(weight: torch.Tensor, perm: Optional[list[int]]) -> Optional[tuple]:
    """What a placeholder's bytes in a layout are written under (once per data file); None for other tensors."""
    source = _source(weight)
    return None if source is None else (source[1], weight.dtype, None if perm is None else tuple(perm))


def _argument(args: tuple, kwargs: dict, position: int, name: str) -> Any:
    return args[position] if len(args) > position else kwargs.get(name)


def _byte_size(layout: Optional[tuple[torch.Tensor, Optional[list[int]]]]) -> Optional[int]:
    """The bytes of a weight as written (None for no weight)."""
    return None if layout is None else layout[0].numel() * layout[0].element_size()


def _checkpoint_of(tensors: Iterable[torch.Tensor]) -> Optional[SafetensorsCheckpoint]:
    """The checkpoint the first placeholder among `tensors` stands for (None: no placeholder)."""
    return next((_source(tensor)[0] for tensor in tensors if _source(tensor)), None)


def _source(parameter: Optional[torch.Tensor]) -> Optional[tuple[SafetensorsCheckpoint, str]]:
    return getattr(parameter, "checkpoint_source", None)


def _chunks(weight: torch.Tensor, perm: Optional[list[int]]) -> Iterator[memoryview]:
    """The bytes of a weight (permuted by `perm`) in pieces of about `_CHUNK_BYTES`: a placeholder's from the
    checkpoint's mapped file (converted to its dtype, transposed a block of rows at a time), so that no more than a
    piece is ever in the process's own memory; the mapped pages are let go after the tensor."""
    source = _source(weight)
    values = source[0].mapped(source[1]) if source else weight.detach()
    if perm is not None:
        values = values.permute(perm)
    values = values.reshape(1) if values.dim() == 0 else values
    row_bytes = max(1, values[0].numel() * weight.element_size()) if len(values) else 1
    step = max(1, _CHUNK_BYTES // row_bytes)
    for start in range(0, len(values), step):
        piece = _contiguous(values[start : start + step], weight.dtype)
        yield memoryview(piece.view(torch.int16).numpy() if piece.dtype == torch.bfloat16 else piece.numpy()).cast("B")
    if source:
        source[0].release(source[1])


def _contiguous(values: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """`values` as a contiguous tensor of `dtype`. A whole transposed matrix is copied in one call (torch's blocked
    transpose: 1.5-4 GB/s here, and the interpreter taken once, which the trace holds most of the time); a piece
    of one a block of its columns (rows of the stored matrix) at a time: 1.4-3.5x faster than torch's strided copy
    of the whole (0.5-1.1 GB/s here)."""
    if values.dim() != 2 or values.is_contiguous():
        return values.to(dtype).contiguous()
    copied = torch.empty(values.shape, dtype=dtype)
    if values.stride() == (1, values.shape[0]) and values.dtype == dtype:
        return copied.copy_(values)
    for start in range(0, values.shape[1], _TRANSPOSE_BLOCK):
        copied[:, start : start + _TRANSPOSE_BLOCK] = values[:, start : start + _TRANSPOSE_BLOCK]
    return copied
