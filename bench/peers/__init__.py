"""The benchmark against the peer libraries (bench/bench_peers.py).

Each contender (our library or a peer) runs in a subprocess of its own
python through ``runner.py``: the peers in ``.venv-bench``, which holds
zarr-python under our import name, ours in the project's ``.venv``.
"""
