"""Gradescope packaging: our autograder zip, its ``run_autograder``, and Otter compatibility.

- ``build``: ``dist/autograder.zip`` (``setup.sh`` with pip and pinned versions, the grading
  packages, the reference measurements).
- ``run``: what ``run_autograder`` calls on Gradescope: grade ``/autograder/submission`` with the
  same core as the local grader and write ``/autograder/results/results.json``.
- ``otter_compat``: ``dist/otter_autograder.zip``, Otter's own autograder built from the master
  notebook, whose hidden tests call ``otter_hidden_checks.run_check``.
- ``otter_hidden_checks``: that module (shipped at the top level of Otter's zip).
"""
