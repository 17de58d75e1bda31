"""The administrator reserved a 1Gi volume of class kubelab-manual for the claim; the learner applies the claim."""

from checkers.solving import reserve_volume


def solve(kubectl):
    reserve_volume(kubectl, "volumes-data", "1Gi", "kubelab-manual", {"kubelab.dev/claim-namespace": kubectl.namespace})
    kubectl("apply", "-f", "claim.yaml")
