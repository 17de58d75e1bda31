"""The mistake: the certificate goes into a generic (Opaque) Secret."""

from checkers.scripts import sibling


def steps():
    return sibling(__file__, "ftps_setup.py")


def solve(kubectl):
    steps().setup(kubectl, secret_type="Opaque")
