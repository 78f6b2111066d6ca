"""The chart of the peers' ratios to ours, drawn from bench/results/peers.json.

Run in .venv-bench, which holds matplotlib:

    python -I bench/peers/chart.py RESULTS.json OUT.png

One panel per workload and storage; in each, a group of bars per operation,
one bar per peer, its height the peer's figure divided by ours on a log
scale: above the line at 1, ours is faster (or smaller).
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from peers.report import OPS, ratios  # noqa: E402

SHORT = {"write": "write", "read": "read", "read into": "read into", "z[:100]": "z[:100]",
         "z[:, :100]": "z[:, :100]", "one element": "1 element", "box": "box",
         "appends": "appends", "2-thread write": "2-thr write", "2-thread read": "2-thr read",
         "dask sum": "dask sum", "stored bytes": "stored", "sorted rows": "sorted rows",
         "unsorted rows": "unsorted rows", "points": "points", "z[::512]": "z[::512]",
         "mask": "mask", "stored files": "files", "consolidate": "consolidate"}

LEGEND = {"numpy": "numpy (np.memmap on disk)"}


def panel(ax, by_peer, peers, title):
    """One workload in one storage: bars of ratios, grouped by operation; a
    peer keeps its place and colour (its index in peers) in every panel."""
    keys = [key for key, *_ in OPS if any(key in r for r in by_peer.values())]
    if not peers:  # no ratios to ours (ours did not run)
        ax.set_title(title)
        return
    width = 0.8 / len(peers)
    colours = plt.get_cmap("tab20")
    for i, peer in enumerate(peers):
        ratios_ = by_peer.get(peer, {})
        xs = [k + i * width for k, key in enumerate(keys) if key in ratios_]
        ys = [ratios_[key] for key in keys if key in ratios_]
        ax.bar(xs, ys, width, label=LEGEND.get(peer, peer), color=colours(i))
    ax.axhline(1, color="black", linewidth=0.8)
    ax.set_yscale("log")
    ax.set_xticks([k + 0.4 - width / 2 for k in range(len(keys))])
    ax.set_xticklabels([SHORT[k] for k in keys], rotation=45, ha="right", fontsize=8)
    ax.set_title(title, fontsize=9)
    ax.set_ylabel("peer ÷ ours", fontsize=8)
    ax.grid(axis="y", which="major", linewidth=0.3)


def draw(results, out):
    """Every panel, in a grid of workloads (rows) by storages (columns), one
    legend for all."""
    workloads = results["workloads"]
    panels = {(spec["name"], storage): ratios(results, spec["name"], storage)
              for spec in workloads for storage in ("memory", "disk")}
    peers = []
    for by_peer in panels.values():
        peers += [p for p in by_peer if p not in peers]
    fig, axes = plt.subplots(len(workloads), 2, figsize=(16, 5 * len(workloads)), squeeze=False)
    for r, spec in enumerate(workloads):
        for c, storage in enumerate(("memory", "disk")):
            panel(axes[r][c], panels[spec["name"], storage], peers,
                  "%s, %s" % (spec["title"], storage))
    handles, labels = [], []
    for ax in axes.flat:
        for h, label in zip(*ax.get_legend_handles_labels()):
            if label not in labels:
                handles.append(h)
                labels.append(label)
    fig.legend(handles, labels, loc="upper center", ncol=len(labels), bbox_to_anchor=(0.5, 0.965))
    kind = "quick" if results["quick"] else "full"
    fig.suptitle("Peers ÷ ours (%s run of %s, medians of %d; above 1: ours faster or smaller)"
                 % (kind, results["date"], results["repeat"]))
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    fig.savefig(out, dpi=90)


def main():
    with open(sys.argv[1]) as f:
        results = json.load(f)
    draw(results, sys.argv[2])


if __name__ == "__main__":
    main()
