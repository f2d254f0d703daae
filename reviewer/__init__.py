"""reviewer: offline-first audit evidence reviewer."""

__version__ = "0.1.0"
