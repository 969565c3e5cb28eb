"""One exception type per kind of user mistake. Each message says what to do; the CLI prints it on one line.

Every type also derives from the built-in exception the legacy `transformers.onnx` raised in the same
situation, so `except ValueError:` in an old script still catches it.
"""


class TransformersOnnxError(Exception):
    """Base of the errors this package raises for bad input."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class ModelLoadError(TransformersOnnxError, OSError):
    """The model or its config cannot be loaded: missing folder, no config.json, uncached hub id, bad weights."""


class MissingWeightsError(ModelLoadError, FileNotFoundError):
    """A checkpoint folder holds neither PyTorch nor TensorFlow weights."""


class MissingHeadWeightsError(ModelLoadError):
    """`--strict`: the checkpoint lacks the weights of the feature's head (transformers would make random ones)."""


class UnsupportedModelError(TransformersOnnxError, KeyError):
    """The model type has no ONNX config."""


class UnsupportedFeatureError(TransformersOnnxError, ValueError, KeyError):
    """The model type does not support the requested feature, or the feature names no known task (the legacy
    package raised `ValueError` for the one and `KeyError` for the other)."""


class FrameworkError(TransformersOnnxError, RuntimeError):
    """The requested framework is not installed or does not match the checkpoint."""


class UnknownFrameworkError(FrameworkError, ValueError):
    """The requested framework is neither "pt" nor "tf"."""


class NoFrameworkError(FrameworkError, OSError):
    """Neither PyTorch nor TensorFlow models can be loaded in this environment (an `EnvironmentError`)."""


class PreprocessorError(TransformersOnnxError, ValueError):
    """No usable tokenizer, image processor, feature extractor or processor."""


class OutputPathError(TransformersOnnxError, OSError):
    """The output location is not a writable folder."""


class OpsetError(TransformersOnnxError, ValueError):
    """The requested opset cannot export this model."""


class ExportError(TransformersOnnxError, RuntimeError):
    """The exporter failed on this model."""


class ConfigMismatchError(ExportError, ValueError):
    """The `OnnxConfig` does not fit the model or its preprocessor: the model's forward does not take the config's
    inputs ("Model and config inputs doesn't match", a `ValueError` in the legacy package), or the preprocessor
    cannot make them."""


class TensorFlowTooLargeError(ExportError):
    """A TensorFlow model of 2 GiB or more: tf2onnx freezes the weights into one TensorFlow graph, which protobuf
    cannot serialize past 2 GiB ("Failed to serialize proto", after minutes and ~8x the weights in memory)."""

    def __init__(self, weight_bytes: int):
        super().__init__(
            f"TensorFlow models of 2 GiB or more cannot be exported (these weights take {weight_bytes / 2**30:.1f} GiB;"
            " tf2onnx cannot serialize them): convert them to PyTorch with"
            " AutoModel.from_pretrained(DIR, from_tf=True).save_pretrained(DIR) and export with --framework pt"
        )


class ValidationError(TransformersOnnxError, ValueError):
    """The ONNX model's outputs differ from the framework's."""


class OptimizationError(TransformersOnnxError, ValueError):
    """`--optimize` was asked for a model family onnxruntime's transformer optimizer does not know."""


def first_line(error: BaseException) -> str:
    """The first line of an exception's message (its type name when the message is empty)."""
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]
