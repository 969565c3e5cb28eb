"""WavLM: the raw waveform of wav2vec2; its relative position buckets take the minimum of int64 tensors."""

from ..config import AudioOnnxConfig


class WavLMOnnxConfig(AudioOnnxConfig):
    """WavLM: `input_values` as wav2vec2, from opset 12 (the first whose `Min` takes int64 tensors)."""

    default_onnx_opset = 12
