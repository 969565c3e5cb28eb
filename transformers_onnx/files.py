"""The files of an export: staging folders, external data, and moving graphs into place.

Every export is written in a staging folder beside its target and moved into place only when complete
(`move_into_place`), so that a reader never sees a half-written graph or pairs one export's graph with
another's weights.
"""

import glob
import hashlib
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterable
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
    locations = {entry.value for t in graph.graph.initializer for entry in t.external_data if entry.key == "location"}
    own = {location for location in locations if location.startswith(onnx_file.name)}
    if len(own) == 1 and own == locations:  # its one data file already (dynamo's, onnxruntime's tools'): renamed
        (only,) = locations
        if only != data_file_of(onnx_file).name:
            (onnx_file.parent / only).replace(data_file_of(onnx_file))
            _rename_data_file(onnx_file, only, data_file_of(onnx_file).name)
        return
    written_from = set()

    def payload(tensor) -> Optional[list[bytes]]:
        if not uses_external_data(tensor):
            return raw_data(tensor)
        entries = {entry.key: entry.value for entry in tensor.external_data}
        source = onnx_file.parent / entries["location"]
        written_from.add(source)
        with open(source, "rb") as stored:
            stored.seek(int(entries.get("offset", 0)))
            return [stored.read(int(entries["length"])) if "length" in entries else stored.read()]

    save_with_external_data(graph, onnx_file, payload)
    for source in written_from:
        source.unlink()


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
            held), or None for one that holds no raw bytes (it stays in the graph).
    """
    import onnx

    data_file = data_file_of(onnx_file)
    partial_file = data_file.with_name(f"{data_file.name}.partial")
    with open(partial_file, "wb") as data:
        for tensor in graph.graph.initializer:
            content = payload(tensor)
            if content is None:
                continue
            data.seek(-data.tell() % 4096, 1)  # page-aligned offsets let onnxruntime map the tensors
            offset = data.tell()
            for piece in content:
                data.write(piece)
            del tensor.external_data[:]
            tensor.ClearField("raw_data")
            tensor.data_location = onnx.TensorProto.EXTERNAL
            for key, value in (("location", data_file.name), ("offset", offset), ("length", data.tell() - offset)):
                tensor.external_data.add(key=key, value=str(value))
    partial_file.replace(data_file)
    onnx.save_model(graph, onnx_file.as_posix())


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
