"""The package version: a leaf module (it imports nothing), read by pyproject.toml too."""

__version__ = "0.1.0"
