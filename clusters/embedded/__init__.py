"""The embedded cluster backend: real control plane binaries with KWOK nodes."""

from .backend import EmbeddedBackend

__all__ = ["EmbeddedBackend"]
