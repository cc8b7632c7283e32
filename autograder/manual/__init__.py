"""Manual grading: the written answers' rubric, the scores TAs enter, and the final grades.

- :mod:`autograder.manual.rubric`: the rubric in the repository (``assignment/rubric.yaml``);
- :mod:`autograder.manual.store`: ``manual.json`` in the output folder, written atomically as
  each score is entered, with a revision per entry so that two browser tabs never overwrite
  each other silently;
- :mod:`autograder.manual.final`: autograded scores (with overrides) plus manual scores.

The web app that edits them is :mod:`autograder.review`; reporting reads them.
"""
