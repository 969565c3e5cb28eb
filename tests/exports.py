"""What the tests read off an export folder."""

from pathlib import Path


def graph_files(folder: Path) -> list[str]:
    """The graphs and their external data in `folder`, by name; the clients' files beside them
    (`transformers_onnx.clients`) are left out."""
    return sorted(path.name for path in Path(folder).iterdir() if ".onnx" in path.name)
