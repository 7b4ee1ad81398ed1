"""qppfiles: check, score and build CMS Quality Payment Program submission files."""

__version__ = "0.1.0"
