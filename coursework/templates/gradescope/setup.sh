#!/usr/bin/env bash
# Gradescope autograder set-up (runs once, when the autograder image is built).
# The autograder zip holds this file, run_autograder and source/: the instructor's project (the solution, with
# coursework/hidden/).  Gradescope unpacks source/ to /autograder/source.
set -euo pipefail
apt-get update -qq
apt-get install -y -qq python3 python3-pip python3-venv util-linux >/dev/null
python3 -m venv /autograder/venv
/autograder/venv/bin/python -m pip install -q -e /autograder/source pytest
