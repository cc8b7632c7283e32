"""Autograder for the *Pooling, Normalizations, and Custom Layers* assignment.

Subpackages, one job each:

- ``assign``: build the student template (and Otter's files) from the master notebook.
- ``checks``: the hidden checks, each a *probe* (runs in the student's process and only
  measures) and a *judge* (runs in the trusted grader and decides points).
- ``execution``: run a notebook's code cells in a namespace (inside the sandbox).
- ``sandbox``: warm worker processes that fork one isolated child per submission.
- ``grading``: the batch grading core shared by the CLI and Gradescope.
- ``reporting``: gradebook CSV, Gradescope results.json, feedback and class report.
- ``gradescope``: the ``autograder.zip`` builder and its ``run_autograder``.
"""
