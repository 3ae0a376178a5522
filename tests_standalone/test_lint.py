"""OCA tooling on the addon: ruff, ruff-format, pylint-odoo, prettier."""

import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PRETTIER = os.path.join(ROOT, "node_modules", ".bin", "prettier")


def run(cmd, cwd=ROOT):
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    return result.returncode, result.stdout + result.stderr


def test_ruff_check():
    code, output = run([sys.executable, "-m", "ruff", "check", "."])
    assert code == 0, output


def test_ruff_format():
    code, output = run([sys.executable, "-m", "ruff", "format", "--check", "."])
    assert code == 0, output


def test_pylint_odoo_mandatory_checks():
    # pylint names the addon after its folder; run it from the parent folder.
    rcfile = os.path.join(ROOT, ".pylintrc")
    code, output = run(
        [sys.executable, "-m", "pylint", f"--rcfile={rcfile}", os.path.basename(ROOT)],
        cwd=os.path.dirname(ROOT),
    )
    assert code == 0, output


@pytest.mark.skipif(
    not os.path.exists(PRETTIER) or not shutil.which("node"),
    reason="prettier is not installed here: run 'npm ci' in the repository",
)
def test_prettier():
    code, output = run([PRETTIER, "--check", "**/*.{xml,js,scss}"])
    assert code == 0, output
