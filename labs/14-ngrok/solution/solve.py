"""The reference solution (the steps are in ngrok_setup.py)."""

from checkers.scripts import sibling


def steps():
    return sibling(__file__, "ngrok_setup.py")


def solve(kubectl):
    steps().setup(kubectl)
