"""mT5: exported like T5, validated at a looser tolerance."""

from .t5 import T5OnnxConfig


class MT5OnnxConfig(T5OnnxConfig):
    """mT5 as the T5 config exports it."""

    atol_for_validation = 5e-4
