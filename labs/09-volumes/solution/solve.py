"""The reference solution: the steps of volumes_setup.py as the lesson teaches them."""

from checkers.scripts import sibling


def solve(kubectl):
    sibling(__file__, "volumes_setup.py").setup(kubectl)
