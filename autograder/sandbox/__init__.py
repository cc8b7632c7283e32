"""Run untrusted notebooks: warm worker processes that fork one isolated child per submission.

- ``limits``: every limit is a named setting with a documented default.
- ``isolation``: what the child does to itself before running student code (namespaces,
  masking hidden files, dropping privileges, resource limits, scrubbed environment).
- ``child``: the code the forked child runs: the notebook's cells, then the probes.
- ``zygote``: the warm worker: imports TensorFlow once, never computes, forks a child per
  job, enforces the wall clock and memory, and kills the whole process tree afterwards.
- ``pool``: the grader-side handle on a set of zygote processes.
"""

from autograder.sandbox.limits import SandboxLimits

__all__ = ["SandboxLimits"]
