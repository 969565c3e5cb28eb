"""Blenderbot Small: exported like BART."""

from .bart import BartOnnxConfig


class BlenderbotSmallOnnxConfig(BartOnnxConfig):
    """Blenderbot Small as the BART config exports it."""
