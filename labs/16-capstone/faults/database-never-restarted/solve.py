"""The whole stack, but the database crash test was never done."""

from checkers.scripts import sibling


def steps():
    return sibling(__file__, "steps.py")


def solve(kubectl):
    do = steps()
    do.prepare(kubectl)
    do.apply_and_wait(kubectl)
    do.exercises(kubectl)
