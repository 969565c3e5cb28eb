"""PLBart: exported like BART."""

from .bart import BartOnnxConfig


class PLBartOnnxConfig(BartOnnxConfig):
    """PLBart as the BART config exports it."""
