"""Run one selection of coursework tests in this process: ``python -B runner.py CONFIG.json``.

``check`` and ``grade`` start it as a fresh process with a JSON configuration::

    {"tree": project folder to test (put first on sys.path, the working folder),
     "tests": folders of tests below it, "marker": a pytest -m expression,
     "results": the JSON-lines file the recorder writes,
     "assignment": "A1", "forbidden_modules": [...],
     "block_network": bool, "hide": [folders to cover], "mount_namespace": the grader's,
     "per_test_timeout_s": seconds or null,
     "limits": {"memory_mb": ..., "cpu_seconds": ...} or null}

Before any test code runs it sets its resource limits, hides the listed folders (an empty tmpfs over
each, only inside a private mount namespace: never in the grader's own),
blocks the network and the forbidden modules, then runs pytest with the
recorder plugin.  It uses the standard library only until the tree is on the
path, so that the library imported is the tree's.
"""

import json
import os
import subprocess
import sys


def limit_resources(memory_mb, cpu_seconds):
    """RLIMIT_AS, RLIMIT_CPU, RLIMIT_FSIZE 64 MiB, no core files, 256 open files (and processes, when not root)."""
    import resource

    def limit(kind, value):
        try:
            _, hard = resource.getrlimit(kind)
            if hard != resource.RLIM_INFINITY:
                value = min(value, hard)
            resource.setrlimit(kind, (value, value))
        except (ValueError, OSError):
            pass        # a limit this system does not allow: the others still apply

    limit(resource.RLIMIT_AS, memory_mb * 1024 * 1024)
    limit(resource.RLIMIT_CPU, cpu_seconds)
    limit(resource.RLIMIT_FSIZE, 64 * 1024 * 1024)
    limit(resource.RLIMIT_CORE, 0)
    limit(resource.RLIMIT_NOFILE, 256)
    if os.getuid() != 0:
        limit(resource.RLIMIT_NPROC, 256)


def hide_folders(folders, grader_namespace):
    """Cover each folder with an empty tmpfs; only in a mount namespace other than the grader's."""
    try:
        own_namespace = os.readlink("/proc/self/ns/mnt")
    except OSError:
        own_namespace = None
    if not folders:
        return "nothing to hide"
    if own_namespace is None or own_namespace == grader_namespace:
        return "not hidden (no private mount namespace)"
    failed = []
    for folder in folders:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4k,mode=000", "tmpfs", folder],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if done.returncode != 0:
            failed.append(folder)
    if failed:
        return "could not hide " + ", ".join(failed)
    return f"hidden: {len(folders)} folders"


def main(config_path):
    with open(config_path, encoding="utf-8") as file:
        config = json.load(file)
    sys.dont_write_bytecode = True
    if config.get("limits"):
        limit_resources(config["limits"]["memory_mb"], config["limits"]["cpu_seconds"])
    hidden = hide_folders(config.get("hide", []), config.get("mount_namespace"))
    tree = config["tree"]
    sys.path.insert(0, tree)
    os.chdir(tree)

    from nn_from_scratch.coursework.guards import ModuleBlocker, block_network, forbidden_reason

    if config.get("block_network"):
        block_network()
    ModuleBlocker(config.get("forbidden_modules", []), forbidden_reason(config.get("assignment", "?"))).install()

    import pytest

    from nn_from_scratch.coursework.recorder import Recorder

    recorder = Recorder(config["results"], config.get("per_test_timeout_s"))
    recorder.write({"event": "started", "hide": hidden, "python": sys.version.split()[0]})
    # -s: no capture, so that what the code under test prints goes straight to the parent's pipe, which keeps
    # only its head and tail (captured output would fill memory or a temporary file)
    arguments = [*config["tests"], "-m", config["marker"], "-q", "-s", "-p", "no:cacheprovider", "-c",
                 os.path.join(tree, "coursework", "pytest-runner.ini"), "--rootdir", tree, "--color=no"]
    return pytest.main(arguments, plugins=[recorder])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
