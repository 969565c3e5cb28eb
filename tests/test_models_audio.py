"""The audio family beyond the matrix: checkpoints saved without a feature extractor, the speech encoder-decoders'
generation graphs, SEW's padding at every length, AST's fixed spectrogram and the optimum task names."""

import re
from pathlib import Path

import numpy as np
import onnx
import pytest
import torch
from onnxruntime import InferenceSession
from transformers import GenerationConfig

from conftest import build_tiny_model
from exports import graph_files
from tiny_models import TINY_MODELS
from transformers_onnx import FeaturesManager
from transformers_onnx.__main__ import main

DOCS = Path(__file__).parents[1] / "docs" / "generation.md"
NEW_TOKENS = 8


@pytest.mark.parametrize(
    "model_type,feature",
    [
        ("wav2vec2", "automatic-speech-recognition"),
        ("sew-d", "audio-classification"),
        ("audio-spectrogram-transformer", "audio-classification"),
        ("speech-to-text", "speech2seq-lm"),
        ("moonshine", "speech2seq-lm-with-past"),
    ],
)
def test_a_checkpoint_without_feature_extractor_exports(model_type, feature, tmp_path):
    """The configs make their dummy inputs from the model's config: `save_pretrained` of the model alone exports,
    the generation layout's graphs too."""
    build_tiny_model(model_type, feature).save_pretrained(tmp_path / "checkpoint")
    generation = ["--generation"] if feature.endswith("-with-past") else []
    arguments = ["--model", str(tmp_path / "checkpoint"), "--feature", feature, *generation, "-q"]
    assert main([*arguments, str(tmp_path / "onnx")]) == 0
    assert graph_files(tmp_path / "onnx")


@pytest.fixture(scope="module")
def greedy_loops():
    """The greedy loops of docs/generation.md (its blocks that define functions), as they are written."""
    namespace = {}
    for block in re.findall(r"```python\n(.*?)```", DOCS.read_text(), re.S):
        if re.search(r"^def greedy_seq2seq", block, re.M) or "from onnxruntime import" in block:
            exec(compile(block, str(DOCS), "exec"), namespace)
    return namespace


@pytest.mark.parametrize("model_type", ["moonshine", "speech-to-text"])
def test_speech_seq2seq_greedy_matches_generate(model_type, greedy_loops, tiny_checkpoint, tmp_path):
    """tests/test_generation.py feeds Whisper's log-mel features; these take a waveform or filter banks with a mask,
    here the config's dummy ones, whose first row ends in padding."""
    feature = "speech2seq-lm-with-past"
    checkpoint = tiny_checkpoint(model_type, feature)
    assert main(["--model", str(checkpoint), "--feature", feature, "--generation", "-q", str(tmp_path)]) == 0
    model_class = FeaturesManager.get_model_class_for_model_type(model_type, feature)
    model = model_class.from_pretrained(checkpoint, attn_implementation="eager").eval()
    for name in ("eos_token_id", "forced_eos_token_id", "forced_bos_token_id"):
        setattr(model.generation_config, name, None)
    onnx_config = FeaturesManager.get_config(model_type, feature)(model.config)
    dummy = onnx_config.generate_dummy_inputs(None, batch_size=2, seq_length=6, framework="pt")
    encoder_inputs = {name: dummy[name] for name in onnx_config.encoder_inputs}
    start = model.config.decoder_start_token_id
    greedy = GenerationConfig(
        do_sample=False, num_beams=1, max_new_tokens=NEW_TOKENS, pad_token_id=0, decoder_start_token_id=start
    )
    with torch.no_grad():
        expected = model.generate(**encoder_inputs, generation_config=greedy)[:, -NEW_TOKENS:]
    feed = {name: value.numpy() for name, value in encoder_inputs.items()}
    for loop in ("greedy_seq2seq", "greedy_seq2seq_merged"):
        got = greedy_loops[loop](str(tmp_path), feed, start, NEW_TOKENS)
        np.testing.assert_array_equal(got, expected.numpy(), err_msg=loop)


@pytest.mark.parametrize("model_type", ["sew", "sew-d"])
def test_sew_pads_its_upsampled_frames_at_every_length(model_type, tiny_checkpoint, tmp_path):
    """The encoder pads the frames its pooling dropped only for frame counts that are not a multiple of
    `squeeze_factor`: the graph gives PyTorch's output at even and odd frame counts alike."""
    checkpoint = tiny_checkpoint(model_type, "default")
    assert main(["--model", str(checkpoint), "-q", str(tmp_path)]) == 0
    model = FeaturesManager.get_model_class_for_model_type(model_type, "default").from_pretrained(checkpoint).eval()
    session = InferenceSession((tmp_path / "model.onnx").as_posix(), providers=["CPUExecutionProvider"])
    generator = torch.Generator().manual_seed(0)
    frames = set()
    for samples in (1600, 1616, 2400, 2416):
        waveform = torch.randn((2, samples), generator=generator)
        (got,) = session.run(["last_hidden_state"], {"input_values": waveform.numpy()})
        with torch.no_grad():
            expected = model(input_values=waveform).last_hidden_state.numpy()
        frames.add(expected.shape[1] % model.config.squeeze_factor)
        assert got.shape == expected.shape, samples
        np.testing.assert_allclose(got, expected, atol=1e-4, rtol=0, err_msg=f"{samples} samples")
    assert frames == {0, 1}


def test_ast_takes_spectrograms_of_its_fixed_length(tiny_checkpoint, tmp_path):
    """AST's position embeddings fix the frames and mel bins: only the batch axis is dynamic."""
    checkpoint = tiny_checkpoint("audio-spectrogram-transformer", "audio-classification")
    assert main(["--model", str(checkpoint), "--feature", "audio-classification", "-q", str(tmp_path)]) == 0
    graph = onnx.load((tmp_path / "model.onnx").as_posix()).graph
    dims = [d.dim_param or d.dim_value for d in graph.input[0].type.tensor_type.shape.dim]
    config = TINY_MODELS["audio-spectrogram-transformer"].config_kwargs
    assert dims == ["batch", config["max_length"], config["num_mel_bins"]]


@pytest.mark.parametrize(
    "model_type,task,feature",
    [
        ("wav2vec2", "automatic-speech-recognition", "automatic-speech-recognition"),
        ("hubert", "feature-extraction", "default"),
        ("wavlm", "audio-xvector", "audio-xvector"),
        ("whisper", "audio-classification", "audio-classification"),
        ("whisper", "automatic-speech-recognition-with-past", "speech2seq-lm-with-past"),
        ("moonshine", "automatic-speech-recognition", "speech2seq-lm"),
        ("speech_to_text", "feature-extraction-with-past", "default-with-past"),
    ],
)
def test_optimum_task_names_give_the_audio_features(model_type, task, feature):
    """`automatic-speech-recognition` is the CTC head of the speech encoders and `speech2seq-lm` of the
    encoder-decoders."""
    assert FeaturesManager.feature_for_task(task, model_type) == feature

