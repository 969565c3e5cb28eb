"""compat: binding config inputs to forward parameters by role, release differences, and the tested-with range."""

import pytest
from packaging import version

from transformers_onnx import compat
from transformers_onnx.__main__ import main


def test_inputs_bind_to_renamed_parameters_in_forward_order():
    def forward(self, input_ids, cache=None, attention_mask=None, **kwargs):
        pass

    assert compat.bind_inputs(forward, ["attention_mask", "past_key_values", "input_ids"]) == {
        "input_ids": "input_ids", "past_key_values": "cache", "attention_mask": "attention_mask"
    }


def test_the_legacy_parameter_name_still_binds_and_unknown_inputs_do_not():
    def forward(self, input_ids, past_key_values=None):
        pass

    assert compat.bind_inputs(forward, ["past_key_values", "pixel_values"]) == {"past_key_values": "past_key_values"}


def test_the_tested_release_is_the_one_ci_locks():
    from pathlib import Path

    lock = (Path(__file__).parents[1] / "locks" / "transformers5.txt").read_text()
    (locked,) = [line.split("==")[1] for line in lock.splitlines() if line.startswith("transformers==")]
    assert version.parse(locked).release[:2] == version.parse(compat.TESTED_TRANSFORMERS).release[:2]


def test_a_newer_transformers_than_tested_is_one_progress_line_after_success(monkeypatch, tiny_checkpoint, tmp_path, capsys):
    assert compat.untested_transformers() is None or compat.transformers_version() > version.parse(compat.TESTED_TRANSFORMERS)
    monkeypatch.setattr(compat, "TESTED_TRANSFORMERS", "4.1")
    checkpoint = str(tiny_checkpoint("bert", "default"))
    assert main(["--model", checkpoint, str(tmp_path / "loud")]) == 0
    lines = capsys.readouterr().err.splitlines()
    named = [line for line in lines if "newer than 4.1" in line]
    assert len(named) == 1 and "transformers<4.2" in named[0] and "] note: " in named[0]
    assert lines.index(named[0]) > next(i for i, line in enumerate(lines) if line.startswith("All good"))
    assert main(["--model", checkpoint, "--quiet", str(tmp_path / "quiet")]) == 0
    assert "newer than" not in capsys.readouterr().err


def test_a_newer_transformers_than_tested_is_named_in_the_error_line_of_a_failed_export(
    monkeypatch, tiny_checkpoint, tmp_path, capsys
):
    from transformers_onnx import convert
    from transformers_onnx.errors import ValidationError

    def fail(*args, **kwargs):
        raise ValidationError("outputs differ")

    monkeypatch.setattr(compat, "TESTED_TRANSFORMERS", "4.1")
    monkeypatch.setattr(convert, "check_onnx_outputs", fail)
    assert main(["--model", str(tiny_checkpoint("bert", "default")), "-q", str(tmp_path)]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert lines[-1].startswith("error: outputs differ; transformers ") and "transformers<4.2" in lines[-1]
    assert sum("newer than" in line for line in lines) == 1 and not (tmp_path / "model.onnx").exists()
    assert main(["--model", str(tmp_path / "missing"), str(tmp_path)]) == 1  # a bad input: no version hint
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("error: ") and "newer than" not in line


@pytest.mark.parametrize(
    "release, architecture, expected",
    [
        ("5.24.0", dict(new_decoder_architecture=True, num_kv_heads=2), 8),  # keys expanded to every head
        ("5.25.0", dict(new_decoder_architecture=True, num_kv_heads=2), 2),
        ("4.57.6", dict(multi_query=True), 1),
        ("5.25.0", dict(multi_query=True), 1),
        ("5.25.0", dict(multi_query=False, num_kv_heads=8), 8),
    ],
)
def test_falcon_cached_heads_follow_the_release(monkeypatch, release, architecture, expected):
    from types import SimpleNamespace

    monkeypatch.setattr(compat, "transformers_version", lambda: version.parse(release))
    config = SimpleNamespace(**{"num_attention_heads": 8, "new_decoder_architecture": False, "multi_query": False, **architecture})
    assert compat.falcon_cached_heads(config) == expected


def test_models_load_without_hub_kernels(monkeypatch, tiny_checkpoint):
    """transformers 5.25 swaps layers for kernels downloaded from the hub unless `use_kernels=False`."""
    import transformers

    from transformers_onnx import pytorch_backend

    asked = {}
    original = transformers.AutoModel.from_pretrained

    def from_pretrained(*args, **kwargs):
        asked.update(kwargs)
        return original(*args, **kwargs)

    monkeypatch.setattr(transformers.AutoModel, "from_pretrained", from_pretrained)
    model, _ = pytorch_backend.load_model(transformers.AutoModel, str(tiny_checkpoint("bert", "default")))
    assert asked["use_kernels"] is False and not getattr(model, "use_kernels", False)
