"""compat: binding config inputs to forward parameters by role, and the tested-with range."""

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
