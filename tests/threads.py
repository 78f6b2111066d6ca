"""Running a test's work in several threads at once."""

import threading


def run_in_threads(work, n):
    """Call ``work(i)`` for i in range(n), each in a thread of its own, all
    released together; raise the first exception any of them raised."""
    barrier = threading.Barrier(n)
    errors = []

    def run(i):
        try:
            barrier.wait()
            work(i)
        except BaseException as e:
            errors.append(e)
    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
