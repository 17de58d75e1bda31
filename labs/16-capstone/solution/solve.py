"""The reference solution: the whole stack, then the two crash tests (see steps.py)."""

from checkers.scripts import sibling


def steps():
    return sibling(__file__, "steps.py")


def solve(kubectl):
    do = steps()
    do.prepare(kubectl)
    do.apply_and_wait(kubectl)
    do.exercises(kubectl)
    do.restart_database(kubectl)
