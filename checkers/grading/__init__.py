"""Class grading: a roster, every student × lab graded in parallel from the live clusters, and the exports.

``roster`` reads and validates the class list, ``grade`` runs the engine over it
with a resumable journal, ``exports`` writes the gradebooks and the evidence
document, ``feedback`` one file per student in their language, ``report`` the
self-contained HTML class report.
"""
