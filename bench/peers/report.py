"""The results as markdown tables: one per workload and storage, an
operation a row, a contender a column, each peer's median followed by its
ratio to ours (peer ÷ ours: above 1, ours is faster, or smaller); "n/a"
where the peer's library has no way to make a selection.

With two builds of ours ("ours", the after, and "ours-before", the same
contender code in another build), both are columns of those tables, and
each workload has a table of after ÷ before (ours ÷ ours-before) for every
figure, checked against the run's "within" ratio (1.10 unless told)."""

#: The table's rows: (key in the results, label, unit, factor from seconds or
#: bytes); a label's {count} is the number of rows, points or elements selected.
OPS = [
    ("write", "write", "s", 1),
    ("read", "read (new array)", "s", 1),
    ("read into", "read into an existing array", "s", 1),
    ("z[:100]", "`z[:100]`", "ms", 1e3),
    ("z[:, :100]", "`z[:, :100]`", "ms", 1e3),
    ("one element", "one element", "µs", 1e6),
    ("box", "box", "µs", 1e6),
    ("sorted rows", "{count} sorted rows `z.oindex[rows, :]`", "ms", 1e3),
    ("unsorted rows", "{count} unsorted rows `z.oindex[rows, :]`", "ms", 1e3),
    ("points", "{count} points `z.vindex[i, j]`", "ms", 1e3),
    ("z[::512]", "`z[::512]`, {count} elements", "ms", 1e3),
    ("mask", "1% mask `z[mask]`, {count} elements", "ms", 1e3),
    ("appends", "appends of 1000 rows", "ms", 1e3),
    ("2-thread write", "write, 2 Python threads", "s", 1),
    ("2-thread read", "read, 2 Python threads", "s", 1),
    ("dask sum", "dask sum", "s", 1),
    ("stored bytes", "stored", "MB", 1e-6),
    ("stored files", "stored in", "files", 1),
    ("consolidate", "consolidate its nested directory in place", "s", 1),
]

#: The contender that is another build of ours.
BEFORE = "ours-before"

#: The columns, in order.
PEER_ORDER = ["ours", "ours-before", "ours-zip", "ours-sharded", "ours-v3", "ours-v3-zstd",
              "ours-v3-sharded", "numpy", "blosc", "zarr-v2", "zarr-v3", "zarr-v3-blosc",
              "zarr-v3-sharded", "blosc2", "h5py", "tensorstore", "tensorstore-v3",
              "tensorstore-v3-zstd", "tensorstore-v3-sharded"]

#: The Zarr v3 summary: (family, our contender, the peers' contenders of it).
V3_FAMILIES = [("blosc", "ours-v3", ("zarr-v3-blosc", "tensorstore-v3")),
               ("zstd", "ours-v3-zstd", ("zarr-v3", "tensorstore-v3-zstd")),
               ("sharded, blosc", "ours-v3-sharded", ("zarr-v3-sharded", "tensorstore-v3-sharded"))]
V3_OPS = [("write", "write (s)", 1), ("read", "read (s)", 1), ("one element", "one element (µs)",
                                                              1e6), ("box", "box (µs)", 1e6)]

#: The sharded store's summary: (key, heading); its figures divided by the
#: directory store's ("ours") and h5py's.
SHARDED_RATIOS = [("write", "write"), ("read", "read"), ("read into", "read into")]
#: The contenders whose files and bytes on disk the summary lists.
STORED_BY = [("ours", "directory"), ("ours-sharded", "sharded"), ("ours-zip", "zip"),
             ("h5py", "h5py")]


def fmt(value):
    """A figure with three significant digits, never in e-notation; a count
    (an int) as it is."""
    if isinstance(value, int):
        return str(value)
    for limit, pattern in ((100, "%.0f"), (10, "%.1f"), (1, "%.2f")):
        if value >= limit:
            return pattern % value
    return "%.3g" % value


def fmt_ratio(ratio):
    """A ratio with two decimals below 10, fewer above."""
    return "%.2f" % ratio if ratio < 10 else "%.1f" % ratio if ratio < 100 else "%.0f" % ratio


def figure(row, key):
    """The raw figure of an operation in a row, or None."""
    if key in ("stored bytes", "stored files"):
        return row.get(key)
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
    if key in row.get("unsupported", {}):
        return "n/a"
    value = figure(row, key)
    if value is None:
        return "error" if key in row.get("errors", {}) else ""
    text = fmt(value * factor)
    if key in row.get("notes", {}):
        text += "¹"
    if key in row.get("ways", {}):
        text += "²"
    if run["peer"] not in ("ours", BEFORE) and ours:
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


def op_label(key, label, workload, ours_row):
    """An operation's row label in the tables of a workload."""
    if key == "box":
        return "10x10 box" if workload != "walk 1-D" else "100-element run"
    if key == "appends":
        return "%s %s" % (ours_row.get("counts", {}).get("appends", ""), label)
    if "{count}" in label:
        count = ours_row.get("counts", {}).get(key)
        return label.format(count="{:,}".format(count) if count is not None else "").strip()
    return label


def table(results, workload, storage):
    """The markdown table of one workload in one storage."""
    runs = runs_of(results, workload, storage)
    ours_run = runs.get("ours", {})
    ours_row = ours_run.get("storages", {}).get(storage, {})
    label_row = ours_row or next(filter(None, (usable_row(run, storage)
                                               for run in runs.values())), {})
    titles = [column_title(run, storage) for run in runs.values()]
    lines = ["| operation | " + " | ".join(titles) + " |",
             "|---|" + "---|" * len(titles)]
    for key, label, unit, factor in OPS:
        if key == "z[:, :100]" and len(ours_run.get("workload", {}).get("shape", [0, 0])) < 2:
            continue
        label = op_label(key, label, workload, label_row)
        ours = figure(ours_row, key)
        cells = [cell(run, storage, key, factor, ours) for run in runs.values()]
        if any(cells):
            lines.append("| %s (%s) | %s |" % (label, unit, " | ".join(cells)))
    return "\n".join(lines)


def has_before(results):
    """Whether the results hold a run of ours-before."""
    return any(run["peer"] == BEFORE for run in results["runs"])


def within_of(results):
    """The after ÷ before ratio each figure is checked against."""
    return results.get("within", 1.10)


def usable_row(run, storage):
    """A run's row of figures in a storage, or None where it did not run."""
    if not run or "error" in run or "not installed" in run:
        return None
    row = run.get("storages", {}).get(storage)
    return None if row is None or "error" in row else row


def before_after(results, workload, storage):
    """{key: (after, before)} of every operation in one workload and
    storage, each None where that build has no figure, and None for the
    whole storage where neither build measured it."""
    runs = runs_of(results, workload, storage)
    after, before = (usable_row(runs.get(p), storage) for p in ("ours", BEFORE))
    if after is None and before is None:
        return None
    return {key: (figure(after or {}, key), figure(before or {}, key)) for key, *_ in OPS}


def fmt_check(ratio, within):
    """An after ÷ before ratio with two decimals (three where two would hide
    which side of the limit it is), in bold above the limit."""
    text = "%.2f" % ratio
    if (ratio > within) != (float(text) > within):
        text = "%.3f" % ratio
    return "**%s**" % text if ratio > within else text


def before_after_table(results, workload):
    """The markdown table of after ÷ before of one workload: an operation a
    row, a storage where both builds ran a column (and a line for a storage
    where one of them did not)."""
    within = within_of(results)
    storages, absent, label_row = [], [], {}
    for st in ("memory", "disk"):
        runs = runs_of(results, workload, st)
        rows = [usable_row(runs.get(p), st) for p in ("ours", BEFORE)]
        if None not in rows:
            storages.append(st)
            label_row = label_row or rows[0]
        elif rows != [None, None]:
            absent.append("%s: %s did not run." % (st, "ours" if rows[0] is None else BEFORE))
    lines = []
    if storages:
        pairs = {st: before_after(results, workload, st) for st in storages}
        lines = ["| operation | " + " | ".join("%s: after ÷ before" % st for st in storages)
                 + " |", "|---|" + "---|" * len(storages)]
        for key, label, unit, factor in OPS:
            cells = []
            for st in storages:
                after, before = pairs[st][key]
                if after is None and before is None:
                    cells.append("")
                elif after is None or before is None:
                    cells.append("no figure %s" % ("after" if after is None else "before"))
                else:
                    cells.append(fmt_check(after / before, within) if before else "")
            if any(cells):
                lines.append("| %s | %s |" % (op_label(key, label, workload, label_row),
                                              " | ".join(cells)))
    if absent:
        lines += ([""] if lines else []) + absent
    return "\n".join(lines) or "No figures of ours and ours-before."


def before_after_summary(results):
    """One paragraph: how many figures were compared and which ones are
    above the limit (or missing on one side)."""
    within = within_of(results)
    compared, above, missing = [], [], []
    for spec in results["workloads"]:
        for storage in ("memory", "disk"):
            runs = runs_of(results, spec["name"], storage)
            rows = [usable_row(runs.get(p), storage) for p in ("ours", BEFORE)]
            where = "%s, %s" % (spec["name"], storage)
            if rows == [None, None]:
                continue
            if None in rows:
                missing.append("%s (%s did not run)" % (where, "ours" if rows[0] is None
                                                        else BEFORE))
                continue
            for key, (after, before) in before_after(results, spec["name"], storage).items():
                if after is None and before is None:
                    continue
                if after is None or before is None:
                    missing.append("%s, %s (no figure %s)" % (
                        where, key, "after" if after is None else "before"))
                elif before:
                    compared.append((after / before, "%s, %s" % (where, key)))
                    if after / before > within:
                        above.append(compared[-1])
    if not compared and not missing:
        return "After ÷ before: no figures of both ours and ours-before."
    parts = ["%d figures" % len(compared)]
    if compared and not above:
        parts[0] += ", every one within %.2f (largest %.3f: %s)" % ((within,) + max(compared))
    elif above:
        parts[0] += ", **%d above %.2f**: %s" % (len(above), within, "; ".join(
            "%s %.3f" % (where, ratio) for ratio, where in sorted(above, reverse=True)))
    if compared:
        parts.append("Smallest %.3f (%s)" % min(compared))
    if missing:
        parts.append("**Not compared**: %s" % "; ".join(missing))
    return ("After ÷ before (ours ÷ ours-before, each a ratio of medians; below 1 the after "
            "build is faster or smaller): %s." % ". ".join(parts))


def notes(results):
    """Footnotes: the raw codec's 2-thread method, capped counts, errors,
    peers not installed, selections a peer cannot make."""
    lines = []
    for run in results["runs"]:
        where = "%s, %s" % (run["workload"]["name"], run.get("label") or run["peer"])
        if "not installed" in run:
            lines.append("- %s: not installed: %s" % (where, run["not installed"]))
        if "error" in run:
            lines.append("- %s: failed: %s" % (where, run["error"].strip().splitlines()[-1]))
        unsupported = {}
        for row in run.get("storages", {}).values():
            unsupported.update(row.get("unsupported", {}))
        for op, why in unsupported.items():
            lines.append("- %s, %s: n/a: %s" % (where, op, why))
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


def ways_note(results):
    """How a peer made a selection otherwise than by its library's own
    selection of it."""
    ways = {}
    for run in results["runs"]:
        for row in run.get("storages", {}).values():
            for op, way in row.get("ways", {}).items():
                ways["%s, %s, %s" % (run["workload"]["name"], run.get("label") or run["peer"],
                                     op)] = way
    if not ways:
        return ""
    return "² Made otherwise than by the library's own selection: %s." % "; ".join(
        "%s: %s" % kv for kv in ways.items())


def sharded_table(results):
    """The sharded store on disk against the directory store and h5py, one
    workload a row: its whole-array times divided by theirs, the files and
    MB each stores the array in after the timed writes (and the sharded
    store's MB after its first write), and the consolidation of a nested
    directory in place (its time, the files and MB before and after)."""
    lines = []
    for spec in results["workloads"]:
        rows = {p: usable_row(run, "disk")
                for p, run in runs_of(results, spec["name"], "disk").items()}
        sharded = rows.get("ours-sharded")
        if not sharded:
            continue
        cells = [spec["name"]]
        for key, _ in SHARDED_RATIOS:
            value = figure(sharded, key)
            parts = []
            for peer in ("ours", "h5py"):
                other = figure(rows.get(peer) or {}, key)
                parts.append(fmt_ratio(value / other) if value and other else "")
            cells.append("%s (%s)" % (fmt(value * 1e3), " / ".join(parts)) if value else "")
        for key, factor in (("stored files", 1), ("stored bytes", 1e-6)):
            cells.append(" / ".join(fmt(figure(rows[p], key) * factor)
                                    if rows.get(p) and figure(rows[p], key) is not None else "–"
                                    for p, _ in STORED_BY))
        first = sharded.get("stored bytes, first write")
        if first is not None:
            cells[-1] += " (sharded after its first write: %s)" % fmt(first * 1e-6)
        c = sharded.get("consolidation")
        cells.append("%s: %d files, %s MB → %d, %s" % (
            fmt(sharded["times"]["consolidate"] * 1e3), c["files before"],
            fmt(c["bytes before"] * 1e-6), c["files after"], fmt(c["bytes after"] * 1e-6))
            if c and "consolidate" in sharded["times"] else "")
        lines.append("| " + " | ".join(cells) + " |")
    if not lines:
        return ""
    heads = ["%s (ms; ÷ directory / ÷ h5py)" % head for _, head in SHARDED_RATIOS]
    stored = " / ".join(name for _, name in STORED_BY)
    return "\n".join(["### The sharded store on disk", "",
                      "| workload | " + " | ".join(heads) + " | files: %s | MB: %s | "
                      "consolidate in place (ms; files, MB before → after) |" % (stored, stored),
                      "|---|" + "---|" * (len(heads) + 3)] + lines)


def v3_table(results):
    """Ours in the Zarr v3 format against the faster of zarr-python and
    TensorStore on the same codecs, one row a workload, storage and family:
    our figure, then the faster peer's ÷ ours (above 1: ours is faster) and
    which peer that is."""
    lines = []
    for spec in results["workloads"]:
        for storage in ("memory", "disk"):
            runs = runs_of(results, spec["name"], storage)
            for family, ours_name, peer_names in V3_FAMILIES:
                ours = usable_row(runs.get(ours_name), storage)
                if not ours:
                    continue
                cells = [spec["name"], storage, family]
                for key, _, factor in V3_OPS:
                    mine = figure(ours, key)
                    theirs = [(figure(usable_row(runs.get(p), storage) or {}, key), p)
                              for p in peer_names]
                    theirs = [(v, p) for v, p in theirs if v]
                    if not mine or not theirs:
                        cells.append("")
                        continue
                    best, who = min(theirs)
                    cells.append("%s (%s, %s)" % (fmt(mine * factor), fmt_ratio(best / mine),
                                                  who.split("-")[0]))
                lines.append("| " + " | ".join(cells) + " |")
    if not lines:
        return ""
    return "\n".join(["### Zarr v3: ours and the faster peer (faster ÷ ours, that peer)", "",
                       "| workload | storage | codecs | " + " | ".join(h for _, h, _ in V3_OPS)
                       + " |", "|---|---|---|" + "---|" * len(V3_OPS)] + lines)


def markdown(results):
    """The whole report: a heading per workload and storage, its table, the notes."""
    lines = ["Peers benchmark, %s run of %s: medians of %d; each peer's figure is followed by "
             "its ratio to ours (peer ÷ ours: above 1, ours is faster or smaller)." % (
                 "quick" if results["quick"] else "full", results["date"], results["repeat"]),
             ""]
    if results.get("indexing only"):
        lines[0] += " The selections by index arrays alone (`--indexing`)."
    if results.get("rounds", 1) > 1:
        lines[0] = lines[0].replace("medians of %d;" % results["repeat"],
                                    "medians of %d, each figure the median of %d rounds run "
                                    "one after another (the order of the contenders turned "
                                    "round each time);" % (results["repeat"], results["rounds"]))
    before = has_before(results)
    if before:
        lines[0] += (" ours is the after build and ours-before the before build, measured by "
                     "the same contender code back to back on each workload; ours-before's "
                     "figures stand alone, and each workload's after ÷ before table follows its "
                     "tables.")
        lines += [before_after_summary(results), ""]
    for spec in results["workloads"]:
        for storage in ("memory", "disk"):
            lines += ["### %s, %s" % (spec["title"], storage), "",
                      table(results, spec["name"], storage), ""]
        if before:
            lines += ["### %s, after ÷ before (ours ÷ ours-before; bold: above %.2f)" % (
                spec["title"], within_of(results)), "",
                before_after_table(results, spec["name"]), ""]
    if sharded_table(results):
        lines += [sharded_table(results), ""]
    if v3_table(results):
        lines += [v3_table(results), ""]
    if raw_codec_note(results):
        lines += [raw_codec_note(results), ""]
    if ways_note(results):
        lines += [ways_note(results), ""]
    extra = notes(results)
    if extra:
        lines += ["Notes:", ""] + extra + [""]
    lines += ["Versions: " + "; ".join("%s %s" % kv for kv in sorted(results["versions"].items())),
              ""]
    for name, title in (("our", "Ours"), (BEFORE, "Ours-before")):
        start, end = results.get(name + " code at start"), results.get(name + " code at end")
        if not start:
            continue
        where = " in %s" % start["source"] if before and start.get("source") else ""
        lines += ["%s: commit %s%s%s." % (title, start["commit"], where,
                                          ", with changes under zarr/ or ext/"
                                          if start["changed"] else "")]
        if end != start:
            lines += ["**%s code changed during the run** (commit %s at the end%s): the figures "
                      "of %s may mix two versions." % (
                          "Our" if name == "our" else "The ours-before", end["commit"],
                          ", with changes" if end["changed"] else "",
                          "ours" if name == "our" else BEFORE)]
        lines += [""]
    return "\n".join(lines)
