"""Grading beyond one machine: run the measuring on the workers of a Dask cluster.

- ``dask_runner``: :class:`~autograder.distributed.dask_runner.DaskRunner`, the client-side
  runner (ships the code, submits jobs, streams answers back), and ``grade_job``, the task
  each Dask worker runs with a warm zygote of its own (which ends with its Dask worker:
  its control socket closes when the Dask worker dies).

Only the measuring moves: judging, expected values, the cache and every output stay with
the client. Nothing here imports Dask at package import time.
"""
