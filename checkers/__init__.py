"""The grading engine: labs, checks, outcomes and the read-only cluster view (sits on ``clusters``)."""
