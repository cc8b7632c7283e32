"""Batch grading core, shared by ``python -m autograder grade`` and Gradescope's run_autograder.

- ``inputs``: find submissions in files, folders, Otter zips and Gradescope exports.
- ``notebooks``: read and validate one submitted notebook, with errors that name the file.
- ``results``: what a graded submission is (status, scores, tests, output).
- ``cache``: results kept by content hash, so an interrupted batch resumes.
- ``core``: run submissions through the sandbox workers and judge them.
"""
