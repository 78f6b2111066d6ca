"""The ``zarr`` command: look at, check and copy arrays from a shell.

``python -m zarr COMMAND ...`` (or ``zarr COMMAND ...``, the console script)
with the commands ``info``, ``tree``, ``ls``, ``cat``, ``verify``,
``copy``, ``consolidate``, ``consolidate-metadata`` and ``du``. The exit
status is 0 on success, 1 when a problem is found (a path with no array,
a corrupt chunk, a destination in the way) and 2 on bad usage; messages
go to stderr, and ``--json`` prints a command's facts as JSON on stdout.

Examples
--------
>>> import tempfile, zarr
>>> path = tempfile.mkdtemp() + "/a.zarr"
>>> zarr.open(path, mode="w", shape=(4,), chunks=(2,), dtype="i4")[:] = 7
>>> main(["cat", path])
[7 7 7 7]
0
"""

import argparse
import json
import sys

import numpy as np

from zarr.cli.locations import Problem, UsageError, describe_error, open_node, parse

EXIT_OK, EXIT_PROBLEM, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError("%s: %s" % (self.prog, message))


def _shape_arg(text):
    try:
        values = tuple(int(v) for v in text.replace("x", ",").split(",") if v.strip())
    except ValueError:
        raise argparse.ArgumentTypeError("not a chunk shape: %r (write 1000,100)" % text)
    if not values or any(not 1 <= v < 2 ** 63 for v in values):
        raise argparse.ArgumentTypeError("not a chunk shape: %r (write 1000,100)" % text)
    return values


def _shuffle_arg(text):
    names = {"noshuffle": 0, "none": 0, "shuffle": 1, "byte": 1, "bitshuffle": 2, "bit": 2}
    if text.lower() in names:
        return names[text.lower()]
    if text in ("0", "1", "2"):
        return int(text)
    raise argparse.ArgumentTypeError("--shuffle is 0/noshuffle, 1/shuffle or 2/bitshuffle, "
                                     "not %r" % text)


def _options_arg(text):
    try:
        value = json.loads(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError("--storage-options is a JSON object: %s" % e)
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError("--storage-options is a JSON object")
    return value


def build_parser():
    parser = _Parser(prog="zarr", description="Look at, check and copy Zarr arrays and groups.",
                     epilog="Exit status: 0 success, 1 a problem found, 2 bad usage.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    def command(name, help, json_out=True):
        p = commands.add_parser(name, help=help, description=help)
        p.add_argument("path", metavar="PATH", help="a directory, zip archive or URL "
                       "(a path past an archive names a node inside it)")
        p.add_argument("--storage-options", type=_options_arg, default=None,
                       help="the fsspec options of a URL, as JSON")
        if json_out:
            p.add_argument("--json", action="store_true", help="print the facts as JSON")
        return p

    p = command("info", "an array's or group's summary")
    p.add_argument("--attrs", action="store_true", help="print the attributes too")
    p = command("tree", "the hierarchy below a group, with shapes and dtypes")
    p.add_argument("--depth", type=int, default=None, help="levels shown (all by default)")
    p = command("ls", "the members of a group, one a line")
    p.add_argument("-l", dest="long", action="store_true", help="sizes and chunk counts too")
    p = command("cat", "print values, as numpy prints them", json_out=False)
    p.add_argument("selection", nargs="?", default="", metavar="SELECTION",
                   help="numpy's indexing, e.g. '[0:5, ::10]' or '[[1, 4], :]'")
    for name, what in (("precision", "digits of floats"), ("threshold", "elements before "
                       "summarising"), ("edgeitems", "items at each edge of a summary"),
                       ("linewidth", "characters a line")):
        p.add_argument("--" + name, type=int, default=None, help=what)
    p.add_argument("--suppress", action="store_true", help="no scientific notation for "
                   "small floats")
    p.add_argument("--full", action="store_true", help="print every value, never a summary")
    p = command("verify", "read and check every chunk; exit 1 if any is bad")
    p.add_argument("--checksum", action="store_true",
                   help="a digest of each array's values (equal for equal values in any store)")
    p.add_argument("--threads", type=int, default=None, help="threads (all cores by default)")
    p.add_argument("--progress", action="store_true", default=None, help="always a progress bar")
    p.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
    p = command("copy", "copy an array or hierarchy between stores, rechunking and "
                "recompressing on the way")
    p.add_argument("dest", metavar="DST", help="a directory, zip archive, HDF5 file, .npy "
                   "file or URL")
    p.add_argument("--chunks", type=_shape_arg, help="the copy's chunk shape, e.g. 1000,100")
    p.add_argument("--cname", help="blosc's compressor (blosclz, lz4, lz4hc, zlib, zstd) or "
                   "none")
    p.add_argument("--clevel", type=int, help="compression level, 0 to 9")
    p.add_argument("--shuffle", type=_shuffle_arg, help="0/noshuffle, 1/shuffle, 2/bitshuffle")
    p.add_argument("--blocksize", type=int, help="blosc's block size in bytes (0: automatic)")
    p.add_argument("--nested", action="store_true", help="nested chunk directories ('/' keys)")
    p.add_argument("--sharded", action="store_true", help="a sharded directory "
                   "(zarr.storage.ShardedStore)")
    p.add_argument("--overwrite", action="store_true", help="replace what is at DST")
    p.add_argument("--threads", type=int, default=None, help="threads (all cores by default)")
    p.add_argument("--progress", action="store_true", default=None, help="always a progress bar")
    p.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
    p = command("consolidate", "move a nested directory's chunk files into shard containers, "
                "in place")
    p.add_argument("--threads", type=int, default=None, help="threads (all cores by default)")
    p.add_argument("--progress", action="store_true", default=None, help="always a progress bar")
    p.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
    command("consolidate-metadata", "write .zmetadata: the metadata of a hierarchy in one key")
    p = command("du", "stored bytes, data bytes, ratio and files of each array")
    p.add_argument("-b", "--bytes", dest="exact", action="store_true",
                   help="exact byte counts")
    return parser


def _emit(args, text, facts):
    if getattr(args, "json", False):
        print(json.dumps(facts, indent=2, default=str, allow_nan=True))
    elif text:
        print(text)


def _threads(args):
    threads = getattr(args, "threads", None)
    if threads is not None and threads < 1:
        raise UsageError("--threads must be at least 1")
    return threads


def run(args):
    from zarr.cli import summary

    loc = parse(args.path)
    so = args.storage_options
    if args.command == "copy":
        from zarr.cli.copying import copy
        if args.clevel is not None and not 0 <= args.clevel <= 9:
            raise UsageError("--clevel is from 0 to 9")
        if args.blocksize is not None and args.blocksize < 0:
            raise UsageError("--blocksize must not be negative")
        options = {k: getattr(args, k) for k in ("chunks", "cname", "clevel", "shuffle",
                                                 "blocksize", "nested", "sharded")}
        if options["cname"] is not None and options["cname"].lower() == "none":
            options["cname"] = None
            options["clevel"] = 0
        dest = parse(args.dest)
        if so and "url" not in (loc.kind, dest.kind):
            raise UsageError("--storage-options are for URLs (s3://...), and neither %s nor %s "
                             "is one" % (args.path, args.dest))
        facts = copy(loc, dest, options, args.overwrite, _threads(args), args.progress, so)
        _emit(args, "copied %d array%s (%s bytes of values) to %s" % (
            facts["arrays"], "" if facts["arrays"] == 1 else "s", facts["nbytes"],
            args.dest), facts)
        return EXIT_OK
    if args.command == "consolidate":
        return _consolidate(args, loc)
    node, store = open_node(loc, so, read_only=args.command != "consolidate-metadata")
    if args.command == "info":
        _emit(args, *summary.info(node, args.attrs))
    elif args.command == "tree":
        if args.depth is not None and args.depth < 0:
            raise UsageError("--depth must not be negative")
        _emit(args, *summary.tree(node, args.depth))
    elif args.command == "ls":
        _emit(args, *summary.ls(node, args.long))
    elif args.command == "du":
        text, facts, errors = summary.du(node, args.exact, args.path)
        _emit(args, text, facts)
        for path, error in errors:
            print("zarr du: %s: %s" % (path, describe_error(error)), file=sys.stderr)
        return EXIT_PROBLEM if errors else EXIT_OK
    elif args.command == "cat":
        return _cat(args, node)
    elif args.command == "verify":
        return _verify(args, node)
    elif args.command == "consolidate-metadata":
        import zarr
        from zarr.core import Array
        if isinstance(node, Array):
            raise Problem("%s is an array: consolidated metadata is a group's" % args.path)
        zarr.consolidate_metadata(store, path=loc.inner or None)
        _emit(args, "wrote the consolidated metadata of %s" % args.path,
              {"path": args.path, "consolidated": True})
    return EXIT_OK


def _cat(args, node):
    from zarr.cli.printing import format_values, parse_selection, print_options, \
        read_for_printing
    from zarr.core import Array
    if not isinstance(node, Array):
        raise Problem("%s is a group: cat prints an array's values" % args.path)
    selection = parse_selection(args.selection)
    with np.printoptions(**print_options(args)):
        try:
            values, summarised = read_for_printing(node, selection, args.full)
        except IndexError as e:
            raise UsageError("bad selection %r: %s" % (args.selection, e)) from None
        print(format_values(values, summarised, args.full))
    return EXIT_OK


def _verify(args, node):
    from zarr.cli.verify import verify
    arrays, findings = verify(node, args.checksum, _threads(args), args.progress, args.path)
    failed = [f for f in findings if f.fails]
    if args.json:
        _emit(args, "", {"ok": not failed, "arrays": arrays,
                         "problems": [f.as_dict() for f in findings]})
    else:
        for a in arrays:
            line = "%s: %d chunks checked, %d problem%s" % (
                a["path"], a["chunks_checked"], a["problems"], "" if a["problems"] == 1 else "s")
            if a.get("checksum"):
                line += "; sha256 %s" % a["checksum"]
            print(line)
        for f in findings:
            print(str(f), file=sys.stderr)
    return EXIT_PROBLEM if failed else EXIT_OK


def _consolidate(args, loc):
    import os
    from zarr.storage.sharded import ShardedStore
    if loc.kind != "directory" or loc.inner:
        raise Problem("%s: consolidate works on a directory (not a zip archive, URL or file)"
                      % args.path)
    if not os.path.isdir(loc.file):
        raise Problem("%s: no such directory" % loc.file)
    open_node(loc, None)  # raises unless an array or a group is there
    moved = ShardedStore(loc.file).consolidate(threads=_threads(args), progress=args.progress)
    count = len(moved)
    _emit(args, "moved %s chunk file%s into containers" % (count, "" if count == 1 else "s"),
          {"path": args.path, "moved": count})
    return EXIT_OK


def main(argv=None):
    """Run the command of ``argv`` (``sys.argv[1:]`` by default); the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        return run(args)
    except UsageError as e:
        print("zarr: %s" % e, file=sys.stderr)
        return EXIT_USAGE
    except Problem as e:
        print("zarr %s: %s" % (args.command, e), file=sys.stderr)
        return EXIT_PROBLEM
    except KeyboardInterrupt as e:
        print("zarr: interrupted%s" % "".join("; " + n for n in getattr(e, "__notes__", [])),
              file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        sys.stderr.close()
        return EXIT_OK
    except Exception as e:  # any other failure is a problem met, reported in one line
        notes = "".join("; " + n for n in getattr(e, "__notes__", []))
        print("zarr %s: %s%s" % (args.command, describe_error(e), notes), file=sys.stderr)
        return EXIT_PROBLEM
    except SystemExit as e:  # --help
        return e.code if isinstance(e.code, int) else EXIT_OK
