"""M2M100: exported like BART."""

from .bart import BartOnnxConfig


class M2M100OnnxConfig(BartOnnxConfig):
    """M2M100 as the BART config exports it."""
