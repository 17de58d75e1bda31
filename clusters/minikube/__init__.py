"""The minikube backend: kubelab drives the user's own minikube, never reimplements it."""

from .backend import MinikubeBackend
from .cli import PROFILE, Minikube, MinikubeError

__all__ = ["PROFILE", "Minikube", "MinikubeBackend", "MinikubeError"]
