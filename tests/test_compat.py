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


def test_a_newer_transformers_than_tested_is_named_once(monkeypatch, tiny_checkpoint, tmp_path, capsys):
    assert compat.untested_transformers() is None or compat.transformers_version() > version.parse(compat.TESTED_TRANSFORMERS)
    monkeypatch.setattr(compat, "TESTED_TRANSFORMERS", "4.1")
    assert main(["--model", str(tiny_checkpoint("vision-encoder-decoder", "vision2seq-lm")),
                 "--feature", "vision2seq-lm", str(tmp_path)]) == 0
    warnings = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "newer than 4.1" in warnings[0] and "transformers<4.2" in warnings[0]


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
