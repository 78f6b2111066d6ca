"""The peers' virtual environment, ``.venv-bench`` beside the project.

It is created once and reused while its stamp file lists the same
requirements. Each peer is installed by its own pip call, so that one peer
that fails to install leaves the others usable; the outcome of every call is
kept in the environment (``.status.json``) and reported with the results.
"""

import fcntl
import json
import os
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENV = os.path.join(ROOT, ".venv-bench")

#: What every run needs: numpy for the data, the raw codec, and matplotlib for the chart.
BASE = ["numpy", "blosc==1.11.4", "matplotlib"]

#: Each peer's requirements, installed by one pip call each.
PEERS = {
    "zarr-python": ["zarr>=3.1,<3.2", "numcodecs"],
    "blosc2": ["blosc2"],
    "h5py": ["h5py", "hdf5plugin"],
    "tensorstore": ["tensorstore"],
    "dask": ["dask[array]"],
}

INSTALL_TIMEOUT = 900


def _clean_env():
    """os.environ without what would point pip or python elsewhere."""
    env = dict(os.environ)
    for name in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV"):
        env.pop(name, None)
    return env


def _stamp_text():
    """The stamp's content: every requirement, one a line, by group."""
    lines = ["base: " + " ".join(BASE)]
    lines += ["%s: %s" % (name, " ".join(reqs)) for name, reqs in PEERS.items()]
    return "\n".join(lines) + "\n"


def _pip_install(python, requirements):
    """Install requirements; None on success, else the error's last lines."""
    proc = subprocess.run(
        [python, "-m", "pip", "install", "--disable-pip-version-check", "-q"] + requirements,
        capture_output=True, text=True, timeout=INSTALL_TIMEOUT, env=_clean_env(), cwd=VENV)
    if proc.returncode == 0:
        return None
    lines = (proc.stderr or proc.stdout).strip().splitlines()
    return " ".join(lines[-3:])[-500:]


def _clear():
    """Remove everything in the environment but the lock file."""
    for entry in os.listdir(VENV):
        path = os.path.join(VENV, entry)
        if entry == ".lock":
            continue
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.unlink(path)


def _create(python):
    """Create the environment and install everything; return the status."""
    _clear()
    subprocess.run([sys.executable, "-m", "venv", VENV], check=True, env=_clean_env())
    error = _pip_install(python, BASE)
    if error:
        raise RuntimeError("cannot install %s into %s: %s" % (BASE, VENV, error))
    status = {}
    for name, reqs in PEERS.items():
        error = _pip_install(python, reqs)
        status[name] = "installed" if error is None else "not installed: " + error
    return status


def ensure():
    """The python of .venv-bench and the install status of each peer,
    creating the environment (under a file lock) unless its stamp matches."""
    os.makedirs(VENV, exist_ok=True)
    python = os.path.join(VENV, "bin", "python")
    stamp = os.path.join(VENV, ".requirements")
    status_file = os.path.join(VENV, ".status.json")
    wanted = _stamp_text()
    with open(os.path.join(VENV, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        current = open(stamp).read() if os.path.exists(stamp) else None
        if not (os.path.exists(python) and current == wanted and os.path.exists(status_file)):
            start = time.monotonic()
            print("creating %s (once; reused while its requirements are unchanged)" % VENV,
                  flush=True)
            status = _create(python)
            with open(status_file, "w") as f:
                json.dump(status, f, indent=1)
            with open(stamp, "w") as f:
                f.write(wanted)
            print("created %s in %.0f s" % (VENV, time.monotonic() - start), flush=True)
        with open(status_file) as f:
            status = json.load(f)
    return python, status


if __name__ == "__main__":
    print(ensure())
