"""Grading beyond one machine: run the measuring on the workers of a Dask cluster.

- ``dask_runner``: :class:`~autograder.distributed.dask_runner.DaskRunner`, the client-side
  runner (ships the code, submits jobs, streams answers back), and ``grade_job``, the task
  each Dask worker runs with a warm zygote of its own.
- ``zygote_guard``: the zygote as a Dask worker starts it, ending with its Dask worker.

Only the measuring moves: judging, expected values, the cache and every output stay with
the client. Nothing here imports Dask at package import time (the guard runs without it).
"""
