"""The results as markdown tables: one per workload and storage, an
operation a row, a contender a column, each peer's median followed by its
ratio to ours (peer ÷ ours: above 1, ours is faster, or smaller)."""

#: The table's rows: (key in the results, label, unit, factor from seconds or bytes).
OPS = [
    ("write", "write", "s", 1),
    ("read", "read (new array)", "s", 1),
    ("read into", "read into an existing array", "s", 1),
    ("z[:100]", "`z[:100]`", "ms", 1e3),
    ("z[:, :100]", "`z[:, :100]`", "ms", 1e3),
    ("one element", "one element", "µs", 1e6),
    ("box", "box", "µs", 1e6),
    ("appends", "appends of 1000 rows", "ms", 1e3),
    ("2-thread write", "write, 2 Python threads", "s", 1),
    ("2-thread read", "read, 2 Python threads", "s", 1),
    ("dask sum", "dask sum", "s", 1),
    ("stored bytes", "stored", "MB", 1e-6),
]

#: The columns, in order.
PEER_ORDER = ["ours", "numpy", "blosc", "zarr-v2", "zarr-v3", "blosc2", "h5py", "tensorstore"]


def fmt(value):
    """A figure with three significant digits, never in e-notation."""
    for limit, pattern in ((100, "%.0f"), (10, "%.1f"), (1, "%.2f")):
        if value >= limit:
            return pattern % value
    return "%.3g" % value


def fmt_ratio(ratio):
    """A ratio with two decimals below 10, fewer above."""
    return "%.2f" % ratio if ratio < 10 else "%.1f" % ratio if ratio < 100 else "%.0f" % ratio


def figure(row, key):
    """The raw figure of an operation in a row, or None."""
    if key == "stored bytes":
        return row.get("stored bytes")
    return row.get("times", {}).get(key)


def runs_of(results, workload, storage):
    """{peer: run} of the runs of a workload that measured this storage or
    could not run at all, in column order."""
    found = {}
    for run in results["runs"]:
        if run["workload"]["name"] != workload:
            continue
        if "storages" in run and storage not in run["storages"]:
            continue
        found[run["peer"]] = run
    return {p: found[p] for p in PEER_ORDER if p in found}


def column_title(run, storage):
    """A run's column heading."""
    row = run.get("storages", {}).get(storage, {})
    return row.get("title") or run.get("label") or run["peer"]


def cell(run, storage, key, factor, ours):
    """One table cell: the figure, and the ratio to ours for a peer."""
    if "not installed" in run:
        return "not installed"
    if "error" in run:
        return "failed"
    row = run["storages"][storage]
    if "error" in row:
        return "failed"
    value = figure(row, key)
    if value is None:
        return "error" if key in row.get("errors", {}) else ""
    text = fmt(value * factor)
    if key in row.get("notes", {}):
        text += "¹"
    if run["peer"] != "ours" and ours:
        text += " (%s)" % fmt_ratio(value / ours)
    return text


def ratios(results, workload, storage):
    """{peer's label: {key: peer ÷ ours}} for one workload and storage (for
    the chart; numpy's label is the same in memory and on disk)."""
    runs = runs_of(results, workload, storage)
    ours_row = runs.get("ours", {}).get("storages", {}).get(storage, {})
    found = {}
    for peer, run in runs.items():
        row = run.get("storages", {}).get(storage)
        if peer == "ours" or not row or "error" in row:
            continue
        found[run.get("label") or peer] = {
            key: figure(row, key) / figure(ours_row, key) for key, *_ in OPS
            if figure(row, key) is not None and figure(ours_row, key)}
    return found


def table(results, workload, storage):
    """The markdown table of one workload in one storage."""
    runs = runs_of(results, workload, storage)
    ours_run = runs.get("ours", {})
    ours_row = ours_run.get("storages", {}).get(storage, {})
    titles = [column_title(run, storage) for run in runs.values()]
    lines = ["| operation | " + " | ".join(titles) + " |",
             "|---|" + "---|" * len(titles)]
    for key, label, unit, factor in OPS:
        if key == "z[:, :100]" and len(ours_run.get("workload", {}).get("shape", [0, 0])) < 2:
            continue
        if key == "box":
            label = "10x10 box" if workload != "walk 1-D" else "100-element run"
        if key == "appends":
            counts = ours_row.get("counts", {})
            label = "%s %s" % (counts.get("appends", ""), label)
        ours = figure(ours_row, key)
        cells = [cell(run, storage, key, factor, ours) for run in runs.values()]
        if any(cells):
            lines.append("| %s (%s) | %s |" % (label, unit, " | ".join(cells)))
    return "\n".join(lines)


def notes(results):
    """Footnotes: the raw codec's 2-thread method, capped counts, errors,
    peers not installed."""
    lines = []
    for run in results["runs"]:
        where = "%s, %s" % (run["workload"]["name"], run.get("label") or run["peer"])
        if "not installed" in run:
            lines.append("- %s: not installed: %s" % (where, run["not installed"]))
        if "error" in run:
            lines.append("- %s: failed: %s" % (where, run["error"].strip().splitlines()[-1]))
        for storage, row in run.get("storages", {}).items():
            if "error" in row:
                lines.append("- %s, %s: failed: %s" % (
                    where, storage, row["error"].strip().splitlines()[-1]))
            for op, error in row.get("errors", {}).items():
                lines.append("- %s, %s, %s: %s" % (where, storage, op, error[:300]))
            runs = row.get("counts", {}).get("append runs")
            if runs is not None and runs < results["repeat"]:
                lines.append("- %s, %s, appends: median of %d runs (of %d) within the time cap"
                             % (where, storage, runs, results["repeat"]))
            for op, count in row.get("counts", {}).items():
                planned = results["planned"].get(op)
                if planned and count < planned:
                    lines.append("- %s, %s, %s: %d calls (of %d) within the time cap" % (
                        where, storage, op, count, planned))
    return lines


def raw_codec_note(results):
    """Which two-thread method gave the raw codec its figures, by workload."""
    ways = []
    for run in results["runs"]:
        if run["peer"] == "blosc":
            for row in run.get("storages", {}).values():
                ways += ["%s %s: %s" % (run["workload"]["name"], op.split()[1], way)
                         for op, way in sorted(row.get("notes", {}).items())]
    if not ways:
        return ""
    return ("¹ The raw codec's 2-thread figures are the better of c-blosc's own 2 threads in "
            "one call and two Python threads over halves of the chunks (%s). Its reads with "
            "2 threads decompress into existing buffers." % "; ".join(ways))


def markdown(results):
    """The whole report: a heading per workload and storage, its table, the notes."""
    lines = ["Peers benchmark, %s run of %s: medians of %d; each peer's figure is followed by "
             "its ratio to ours (peer ÷ ours: above 1, ours is faster or smaller)." % (
                 "quick" if results["quick"] else "full", results["date"], results["repeat"]),
             ""]
    for spec in results["workloads"]:
        for storage in ("memory", "disk"):
            lines += ["### %s, %s" % (spec["title"], storage), "",
                      table(results, spec["name"], storage), ""]
    if raw_codec_note(results):
        lines += [raw_codec_note(results), ""]
    extra = notes(results)
    if extra:
        lines += ["Notes:", ""] + extra + [""]
    lines += ["Versions: " + "; ".join("%s %s" % kv for kv in sorted(results["versions"].items())),
              ""]
    start, end = results.get("our code at start"), results.get("our code at end")
    if start:
        lines += ["Ours: commit %s%s." % (start["commit"], ", with changes under zarr/ or ext/"
                                          if start["changed"] else "")]
        if end != start:
            lines += ["**Our code changed during the run** (commit %s at the end%s): the figures "
                      "of ours may mix two versions." % (
                          end["commit"], ", with changes" if end["changed"] else "")]
        lines += [""]
    return "\n".join(lines)
