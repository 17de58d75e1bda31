"""The learner wrote the proof outside the folder the claim is mounted on."""

from checkers.scripts import sibling


def solve(kubectl):
    sibling(__file__, "volumes_setup.py").setup(kubectl, proof_folder="/usr/share")
