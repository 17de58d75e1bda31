"""The reference solution (the steps are in monitoring_setup.py)."""

from checkers.scripts import sibling


def steps():
    return sibling(__file__, "monitoring_setup.py")


def solve(kubectl):
    steps().setup(kubectl)
