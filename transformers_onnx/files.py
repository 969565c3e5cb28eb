"""The files of an export: staging folders, external data, and moving graphs into place.

Every export is written in a staging folder beside its target and moved into place only when complete
(`move_into_place`), so that a reader never sees a half-written graph or pairs one export's graph with
another's weights.
"""

import contextlib
import glob
import hashlib
import itertools
import os
import queue
import secrets
import shutil
import tempfile
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Callable, Optional, Union

#: A piece of an initializer's bytes.
Buffer = Union[bytes, bytearray, memoryview]


#: What a graph's external data file adds to its name: `model.onnx_data`, the name optimum's and transformers.js's
#: downloads from the hub fetch beside `model.onnx`.
DATA_SUFFIX = "_data"


def stored_weight_bytes(folder: Path, weight_file: str) -> int:
    """The size of a checkpoint's weights as stored: `weight_file` in `folder`, or the shards its
    `<weight_file>.index.json` names (0 when there are none)."""
    import json

    single = folder / weight_file
    if single.is_file():
        return single.stat().st_size
    index = folder / f"{weight_file}.index.json"
    if not index.is_file():
        return 0
    shards = set(json.loads(index.read_text()).get("weight_map", {}).values())
    return sum((folder / shard).stat().st_size for shard in shards if (folder / shard).is_file())


#: The weight files read ahead by `read_ahead_weights`, by kind in order of preference.
_WEIGHT_FILES = ("*.safetensors", "pytorch_model*.bin", "tf_model*.h5")
#: Checkpoints up to this size are read ahead (larger ones are read as the export needs them).
_READ_AHEAD_LIMIT = 2**31


def read_ahead_weights(folder: Path):
    """Start reading a checkpoint's weight files into the page cache in a background thread, while the CLI imports
    torch and transformers (~5 s), so that the export finds them there: a 480 MB checkpoint not in the page cache
    takes 0.3-1 s to read here. Only one kind of weights (safetensors first), and only under 2 GiB and under half
    the memory available, so that what is read ahead never pushes out what the export needs."""
    try:
        files = next((found for pattern in _WEIGHT_FILES if (found := sorted(folder.glob(pattern)))), [])
        size = sum(path.stat().st_size for path in files)
    except (OSError, ValueError):  # not a folder that can be read: the export says what is wrong with it
        return
    if files and size < _READ_AHEAD_LIMIT and 2 * size < _available_memory():
        threading.Thread(target=_read_through, args=(files,), name="read-ahead-weights", daemon=True).start()


def _read_through(files: list[Path]):
    piece = bytearray(8 * 2**20)
    for path in files:
        try:
            with open(path, "rb", buffering=0) as stored:
                while stored.readinto(piece):
                    pass
        except OSError:
            return  # the export reports what is wrong with the file


def _available_memory() -> int:
    """The memory the kernel could give without swapping (MemAvailable), 0 where that is not known."""
    try:
        with open("/proc/meminfo") as meminfo:
            fields = dict(line.split(":", 1) for line in meminfo)
        return int(fields["MemAvailable"].split()[0]) * 1024
    except (OSError, KeyError, ValueError):
        return 0


def data_file_of(onnx_file: Path) -> Path:
    """The external data file of `onnx_file` when it has one: `<name>_data` beside it."""
    return onnx_file.with_name(onnx_file.name + DATA_SUFFIX)


def gather_external_data(onnx_file: Path):
    """Store all of a graph's weights in one `<name>_data` file beside it, page-aligned.

    Tensors are moved one at a time (from the exporter's per-tensor files or from the graph itself), so
    no second copy of the weights is held in memory.

    Args:
        onnx_file: The `.onnx` file, rewritten to read its weights from `<name>_data`.
    """
    import onnx
    from onnx.external_data_helper import uses_external_data

    graph = onnx.load(onnx_file.as_posix(), load_external_data=False)
    inlined = _inline_attribute_tensors(graph.graph, onnx_file.parent)
    locations = {entry.value for t in graph.graph.initializer for entry in t.external_data if entry.key == "location"}
    own = {location for location in locations if location.startswith(onnx_file.name)}
    if not inlined and len(own) == 1 and own == locations:  # its one data file already (dynamo's, onnxruntime's)
        (only,) = locations
        if only != data_file_of(onnx_file).name:
            (onnx_file.parent / only).replace(data_file_of(onnx_file))
            _rename_data_file(onnx_file, only, data_file_of(onnx_file).name)
        return
    written_from = set()

    def payload(tensor) -> Optional[list[bytes]]:
        if not uses_external_data(tensor):
            return raw_data(tensor)
        source, stored = _stored_bytes(tensor, onnx_file.parent)
        written_from.add(source)
        return [stored]

    save_with_external_data(graph, onnx_file, payload)
    for source in written_from:
        source.unlink()


def _inline_attribute_tensors(graph: Any, folder: Path) -> bool:
    """Read back into the graph the tensors of node attributes (a `Constant`'s value) stored outside it, as
    onnxruntime's quantizer stores those over 1 KB: only initializers go to the data file. Whether there were any."""
    from onnx.external_data_helper import uses_external_data

    inlined = False
    for tensor in _attribute_tensors(graph):
        if uses_external_data(tensor):
            tensor.raw_data = _stored_bytes(tensor, folder)[1]
            del tensor.external_data[:]
            tensor.data_location = tensor.DEFAULT
            inlined = True
    return inlined


def _stored_bytes(tensor: Any, folder: Path) -> tuple[Path, bytes]:
    """The file in `folder` a tensor stored outside its graph is in, and its bytes there."""
    entries = {entry.key: entry.value for entry in tensor.external_data}
    source = folder / entries["location"]
    with open(source, "rb") as stored:
        stored.seek(int(entries.get("offset", 0)))
        return source, stored.read(int(entries["length"])) if "length" in entries else stored.read()


def _attribute_tensors(graph: Any) -> Iterator[Any]:
    for node in graph.node:
        for attribute in node.attribute:
            if attribute.HasField("t"):
                yield attribute.t
            yield from attribute.tensors
            for subgraph in [attribute.g] if attribute.HasField("g") else list(attribute.graphs):
                yield from _attribute_tensors(subgraph)


def reads_external_data(onnx_file: Path) -> bool:
    """Whether any of the graph's initializers is stored outside it (the graph is read without its data)."""
    return bool(external_data_files(onnx_file))


def external_data_files(onnx_file: Path) -> list[Path]:
    """The files beside `onnx_file` that its initializers are stored in (the graph is read without its data)."""
    import onnx

    graph = onnx.load(onnx_file.as_posix(), load_external_data=False).graph
    locations = {entry.value for tensor in graph.initializer for entry in tensor.external_data if entry.key == "location"}
    return [onnx_file.parent / location for location in sorted(locations)]


def raw_data(tensor: Any) -> Optional[list[bytes]]:
    """The payload of `save_with_external_data` for an initializer held in the graph: its raw bytes."""
    return [tensor.raw_data] if tensor.HasField("raw_data") else None


def save_with_external_data(graph: Any, onnx_file: Path, payload: Callable[[Any], Optional[Iterable[Buffer]]]):
    """Save `graph` to `onnx_file` with every initializer's bytes in one `<name>_data` file beside it.

    Args:
        graph: The `onnx.ModelProto`; its initializers are changed to point into the data file.
        onnx_file: The `.onnx` file to write.
        payload: The bytes of an initializer, in pieces (read one at a time, so no second copy of the weights is
            held), or None for one that holds no raw bytes (it stays in the graph); called by the
            `ExternalDataWriter`'s threads.
    """
    with ExternalDataWriter(onnx_file) as writer:
        for tensor in graph.graph.initializer:
            writer.add(tensor.name, lambda tensor=tensor: payload(tensor))
        writer.save(graph, onnx_file, {tensor.name: tensor.name for tensor in graph.graph.initializer})


class ExternalDataWriter:
    """A graph's `<name>_data` file, written by threads of their own while the caller goes on (the export writes a
    model's weights while it traces the model): the bytes of each tensor `add`ed, once per key, page-aligned (so
    that onnxruntime maps them), in the order added. Pieces are made (read, converted, transposed) in one thread,
    up to two ahead of the one being written in another. Used as a context: the data file takes its name when
    `save` writes the graph; left before that, the threads stop and the partial file is removed."""

    def __init__(self, onnx_file: Path):
        self.data_file = data_file_of(onnx_file)
        self._partial_file = self.data_file.with_name(f"{self.data_file.name}.partial")
        self._data = open(self._partial_file, "wb")
        self._jobs: queue.Queue = queue.Queue()
        self._keys_made: queue.Queue = queue.Queue()  # the key of each content, in the order the maker takes them
        self._added: set = set()
        self._wanted: Optional[set] = None  # once `save` says which keys the graph reads, the others are skipped
        self._stored: dict[Any, Optional[tuple[int, int]]] = {}  # key → (offset, length); None: no bytes
        self._written: dict[Any, int] = {}
        self._error: Optional[BaseException] = None
        self._abandoned = threading.Event()
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._write, name="external-data-writer", daemon=True)
        self._thread.start()

    def __enter__(self) -> "ExternalDataWriter":
        return self

    def __exit__(self, *exc_info) -> None:
        if self._thread.is_alive():
            self._abandoned.set()
            self._jobs.put(_END)
            self._thread.join()
        if not self._data.closed:  # not saved
            self._data.close()
            self._partial_file.unlink(missing_ok=True)

    def add(self, key: Any, make: Callable[[], Optional[Iterable[Buffer]]]) -> None:
        """Write the bytes `make()` gives, in pieces, unless a tensor was added under `key` already (`make` runs in
        the writer's thread; it returns None for a tensor that holds no bytes, which stays in the graph)."""
        if key not in self._added:
            self._added.add(key)
            self._jobs.put((key, make))

    def save(self, graph: Any, onnx_file: Path, keys: dict[str, Any], progress: Optional[Callable[[int], None]] = None):
        """Wait until the bytes of every initializer named in `keys` (initializer name → the key it was added under)
        are written, point those initializers at them, and write the graph to `onnx_file`. Tensors added under
        other keys and not yet begun are skipped.

        Args:
            progress: Called from the caller's thread while it waits, with the bytes of those tensors written so far.
        """
        import onnx

        wanted = set(keys.values())
        if wanted - self._added:
            raise ValueError(f"no tensor was added under {sorted(map(str, wanted - self._added))[0]}")
        self._wanted = wanted
        self._jobs.put(_END)
        finished = False
        while not finished:
            with self._changed:
                finished = self._error is not None or wanted <= self._stored.keys()
                if not finished:
                    self._changed.wait(0.1)
                written = sum(self._written.get(key, 0) for key in wanted)
            if progress:
                progress(written)
        self._thread.join()
        if self._error is not None:
            raise self._error
        for tensor in graph.graph.initializer:
            place = self._stored.get(keys.get(tensor.name))
            if place is None:
                continue
            del tensor.external_data[:]
            tensor.ClearField("raw_data")
            tensor.data_location = onnx.TensorProto.EXTERNAL
            for key, value in (("location", self.data_file.name), ("offset", place[0]), ("length", place[1])):
                tensor.external_data.add(key=key, value=str(value))
        self._data.close()
        self._partial_file.replace(self.data_file)
        onnx_file.write_bytes(graph.SerializeToString())  # onnx.save_model would look through every node for data

    def _contents(self) -> Iterator[Optional[Iterable[Buffer]]]:
        while (job := self._jobs.get()) is not _END:
            key, make = job
            if self._wanted is not None and key not in self._wanted:
                continue
            self._keys_made.put(key)
            yield make()

    def _write(self):
        try:
            with _made_ahead(self._contents()) as made:
                for content in made:
                    key = self._keys_made.get()
                    place = None if content is None else self._written_out(key, content)
                    if self._abandoned.is_set():
                        return
                    with self._changed:
                        self._stored[key] = place
                        self._changed.notify_all()
        except BaseException as error:  # raised again by `save`
            with self._changed:
                self._error = error
                self._changed.notify_all()

    def _written_out(self, key: Any, content: Iterable[Buffer]) -> tuple[int, int]:
        self._data.seek(-self._data.tell() % 4096, 1)
        offset = self._data.tell()
        for piece in content:
            if self._abandoned.is_set():
                break
            self._data.write(piece)
            with self._changed:
                self._written[key] = self._data.tell() - offset
                self._changed.notify_all()
        return offset, self._data.tell() - offset


def save_with_weights_inline(
    graph: Any, onnx_file: Path, payload: Callable[[Any], Iterable[Buffer]], length: Callable[[Any], Optional[int]]
):
    """Save `graph` to one `.onnx` file whose initializers hold their bytes, written piece by piece as they come,
    so that no copy of the weights is ever whole in memory: the protobuf encoding is written around the pieces as
    `graph.SerializeToString()` would encode each initializer with its `raw_data` set (which takes three copies of
    the weights, and three times as long). The file must stay under protobuf's 2 GiB.

    Args:
        graph: The `onnx.ModelProto`.
        onnx_file: The `.onnx` file to write.
        payload: The bytes of an initializer, in pieces (made ahead as for `save_with_external_data`).
        length: The byte count of an initializer's payload; None for one that keeps its own fields.
    """
    import onnx

    initializers = list(graph.graph.initializer)
    sizes = [length(tensor) for tensor in initializers]
    heads = []
    for tensor, size in zip(initializers, sizes):
        head = tensor.SerializeToString()
        heads.append((head + _field_key(_RAW_DATA, size) if size is not None else head, size or 0))
    frame = onnx.ModelProto()
    frame.CopyFrom(graph)
    del frame.graph.initializer[:]
    graph_head = frame.graph.SerializeToString()
    frame.ClearField("graph")
    graph_size = len(graph_head) + sum(
        len(_field_key(_INITIALIZER, len(head) + size)) + len(head) + size for head, size in heads
    )
    contents = (None if size is None else payload(tensor) for tensor, size in zip(initializers, sizes))
    with _completed(onnx_file) as partial_file, open(partial_file, "wb") as written, _made_ahead(contents) as made:
        written.write(frame.SerializeToString() + _field_key(_GRAPH, graph_size) + graph_head)
        for (head, size), content in zip(heads, made):
            written.write(_field_key(_INITIALIZER, len(head) + size) + head)
            start = written.tell()
            for piece in content or ():
                written.write(piece)
            if written.tell() - start != size:
                raise ValueError(f"an initializer of {size} bytes got {written.tell() - start}")


@contextlib.contextmanager
def _completed(path: Path) -> Iterator[Path]:
    """A `<path>.partial` to write, renamed to `path` when the block ends, removed when it raises."""
    partial = path.with_name(f"{path.name}.partial")
    try:
        yield partial
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(path)


#: Protobuf field numbers: ModelProto.graph, GraphProto.initializer, TensorProto.raw_data.
_GRAPH, _INITIALIZER, _RAW_DATA = 7, 5, 9


def _field_key(number: int, size: int) -> bytes:
    """The protobuf key and length of a length-delimited field of `size` bytes."""
    return _varint(number << 3 | 2) + _varint(size)


def _varint(value: int) -> bytes:
    encoded = bytearray()
    while value > 0x7F:
        encoded.append(value & 0x7F | 0x80)
        value >>= 7
    encoded.append(value)
    return bytes(encoded)


#: How many pieces `_made_ahead` makes before the one being written.
_PIECES_AHEAD = 2
#: Handed over by `_made_ahead`'s maker after each content, and after the last.
_END, _NO_MORE = object(), object()


@contextlib.contextmanager
def _made_ahead(contents: Iterator[Optional[Iterable[Buffer]]]) -> Iterator[Iterator[Optional[Iterator[Buffer]]]]:
    """The contents (each None or an iterable of pieces), in order, with their pieces made by a thread that stays
    at most `_PIECES_AHEAD` pieces ahead of the reader; the thread stops when the block is left."""
    made: queue.Queue = queue.Queue(maxsize=_PIECES_AHEAD)
    stop = threading.Event()

    def handed_over(item: Any) -> bool:
        while not stop.is_set():
            try:
                made.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def make():
        try:
            for content in contents:
                if content is None:
                    if not handed_over(None):
                        return
                    continue
                for piece in content:
                    if not handed_over(piece):
                        return
                if not handed_over(_END):
                    return
            handed_over(_NO_MORE)
        except BaseException as error:  # raised again where the pieces are read
            handed_over(error)

    def pieces() -> Iterator[Buffer]:
        while (piece := taken()) is not _END:
            yield piece

    def taken() -> Any:
        item = made.get()
        if isinstance(item, BaseException):
            raise item
        return item

    def read() -> Iterator[Optional[Iterator[Buffer]]]:
        while (first := taken()) is not _NO_MORE:
            if first is None:
                yield None
            elif first is _END:
                yield iter(())
            else:
                yield itertools.chain([first], pieces())

    maker = threading.Thread(target=make, name="external-data-pieces", daemon=True)
    maker.start()
    try:
        yield read()
    finally:
        stop.set()
        maker.join()


def staging_folder(parent: Path, name: str) -> Path:
    """A fresh folder `.<name>.<pid>.<random>` in `parent` for files that are moved into `parent` once complete
    (after `remove_abandoned_staging`).

    Args:
        parent: The folder the files are for.
        name: What is staged, e.g. "model.onnx".

    Returns:
        The new, empty folder.
    """
    remove_abandoned_staging(parent, name)
    return Path(tempfile.mkdtemp(prefix=f".{name}.{os.getpid()}.", dir=parent))


def remove_abandoned_staging(parent: Path, name: str):
    """Remove the staging folders of `name` in `parent` whose process is gone (killed with SIGKILL, or a machine
    that went down); those of running processes are left alone.

    Args:
        parent: The folder the files were for.
        name: What was staged, e.g. "model.onnx".
    """
    for folder in parent.glob(f".{glob.escape(name)}.*"):
        owner = folder.name[len(name) + 2 :].split(".", 1)[0]
        if owner.isdigit() and folder.is_dir() and not _is_running(int(owner)):
            shutil.rmtree(folder, ignore_errors=True)


def _is_running(pid: int) -> bool:
    if os.name != "posix":
        return True  # no cheap liveness check: never remove another run's folder
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process
    return True


def move_into_place(graphs: list[Path], folder: Path) -> list[Path]:
    """Move complete `.onnx` files and their external data into `folder`, replacing the graphs of the same names
    there, so that a reader never pairs one export's graph with another's weights.

    A graph's data file is `<name>_data` beside it (`data_file_of`), which other graphs of the list may read too
    (`share_weights`). The order:

    1. A data file whose name `folder` already holds (an old graph may be reading it) takes a name of its own,
       `<name>.<random>_data`, written into the graphs that read it.
    2. The data files are moved into `folder`: no graph there reads them yet.
    3. Each graph is moved into `folder` with one rename: a reader opens the old graph (with the old data, still
       in place) or the new one (with the new data).
    4. The data files of these graphs' names in `folder` that no new graph reads are removed: the old export's,
       or one left by an earlier export with external data when this one has none.
    5. A data file that took a name of its own gets its plain name back (the name hub clients fetch): linked
       under it, the graphs that read it pointed at it (each replaced in one rename), the other name removed.

    A reader that opened an old graph before step 3 and reads its data only after step 4, or a new graph before
    step 5 and its data after, gets a missing-file error, never another export's weights.

    Args:
        graphs: The `.onnx` files, in a staging folder on the same file system as `folder`.
        folder: Where they go.

    Returns:
        The graphs' new paths.
    """
    kept, renamed = set(), {}
    for data in [data_file_of(graph) for graph in graphs]:
        if not data.is_file():
            continue
        name = data.name
        if (folder / name).exists():
            name = f"{data.name.removesuffix(DATA_SUFFIX)}.{secrets.token_hex(4)}{DATA_SUFFIX}"
            for graph in graphs:
                _rename_data_file(graph, data.name, name)
            renamed[name] = data.name
        data.replace(folder / name)
        kept.add(name)
    targets = [graph.replace(folder / graph.name) for graph in graphs]
    for graph in graphs:
        # (`<name>.data`: where earlier versions of this package put it)
        old_names = [data_file_of(folder / graph.name), folder / f"{graph.name}.data"]
        for stale in [*old_names, *folder.glob(f"{glob.escape(graph.name)}.*{DATA_SUFFIX}")]:
            if stale.name not in kept:
                stale.unlink(missing_ok=True)
    for name, plain in renamed.items():
        os.link(folder / name, folder / plain)
        for target in targets:
            _rename_data_file(target, name, plain, in_place=False)
        (folder / name).unlink()
    return targets


def share_weights(graphs: list[Path]):
    """Store the weights of graphs exported from one model once: every initializer goes to one external data file,
    `<first graph>_data`, each distinct tensor (same type, shape and bytes) once, read by all the graphs.

    Args:
        graphs: `.onnx` files in one folder; their own data files, if any, are replaced.
    """
    import onnx

    data_file = data_file_of(graphs[0])
    partial_file = data_file.with_name(f"{data_file.name}.partial")
    written, models = {}, []
    with open(partial_file, "wb") as data:
        for graph in graphs:
            model = onnx.load(graph.as_posix())
            for tensor in model.graph.initializer:
                if not tensor.HasField("raw_data"):
                    continue
                key = (tensor.data_type, tuple(tensor.dims), hashlib.sha256(tensor.raw_data).digest())
                if key not in written:
                    data.seek(-data.tell() % 4096, 1)  # page-aligned offsets let onnxruntime map the tensors
                    written[key] = (data.tell(), len(tensor.raw_data))
                    data.write(tensor.raw_data)
                tensor.ClearField("raw_data")
                tensor.data_location = onnx.TensorProto.EXTERNAL
                offset, length = written[key]
                for entry_key, value in (("location", data_file.name), ("offset", offset), ("length", length)):
                    tensor.external_data.add(key=entry_key, value=str(value))
            models.append(model)
    for graph in graphs:
        data_file_of(graph).unlink(missing_ok=True)
    partial_file.replace(data_file)
    for graph, model in zip(graphs, models):
        onnx.save_model(model, graph.as_posix())


def _rename_data_file(graph: Path, old: str, new: str, in_place: bool = True):
    """Point the tensors of `graph` stored in the data file `old` at `new`; unless `in_place`, the graph is written
    beside itself and renamed over itself, so that a reader opens one version or the other whole."""
    import onnx

    model = onnx.load(graph.as_posix(), load_external_data=False)
    entries = [
        entry for tensor in model.graph.initializer for entry in tensor.external_data
        if entry.key == "location" and entry.value == old
    ]  # fmt: skip
    for entry in entries:
        entry.value = new
    if not entries:
        return
    written = graph if in_place else graph.with_name(f".{graph.name}.{secrets.token_hex(4)}")
    onnx.save_model(model, written.as_posix())
    written.replace(graph)
