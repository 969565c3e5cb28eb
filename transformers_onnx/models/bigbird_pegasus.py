"""BigBirdPegasus: exported like BART."""

from .bart import BartOnnxConfig


class BigBirdPegasusOnnxConfig(BartOnnxConfig):
    """BigBirdPegasus as the BART config exports it."""
