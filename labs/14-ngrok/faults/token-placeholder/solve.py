"""The mistake: the placeholder of the documentation instead of the real authtoken."""

from checkers.scripts import sibling


def steps():
    return sibling(__file__, "ngrok_setup.py")


def solve(kubectl):
    steps().setup(kubectl, token="YOUR_NGROK_AUTHTOKEN")
