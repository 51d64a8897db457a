"""runtime: running the steps: ffmpeg processes, signals, progress, safe files, jobs.

Owns :func:`~tlc.runtime.run.execute` (temp files renamed on success, a work
directory removed whatever happens, Ctrl-C and SIGTERM), and the jobs that
executors run (:mod:`~tlc.runtime.jobs`). Imports :mod:`tlc.backend` and below.
"""
