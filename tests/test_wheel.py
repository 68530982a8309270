from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
import zipfile

import pytest

from conftest import EXAMPLES, REPO


@pytest.mark.slow
def test_wheel_ships_rules_and_model_and_works_from_any_directory(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(REPO)],
                   check=True, capture_output=True)
    wheel = next(dist.glob("rolematch-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert any(n.startswith("rolematch/_data/rules/en/") for n in names)
    assert "rolematch/_data/rules/_lemma_forms.json" in names
    assert "rolematch/_data/models/default/manifest.json" in names
    assert "rolematch/py.typed" in names
    for prepared in (REPO / "src/rolematch/_prepared").glob("*.bin"):  # tokenizers and their compiled regexes
        assert f"rolematch/_prepared/{prepared.name}" in names

    # A fresh venv. Its dependencies come from this environment through a .pth line (no download);
    # the rolematch it runs is the wheel's, installed with its console script.
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    target_site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                 capture_output=True, text=True, check=True).stdout.strip()
    with open(os.path.join(target_site, "deps.pth"), "w") as fh:
        fh.write(sysconfig.get_paths()["purelib"] + "\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    subprocess.run([str(py), "-m", "pip", "install", "--no-deps", "--no-index", str(wheel)],
                   check=True, capture_output=True, env=env)
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    (workdir / "p.txt").write_text((EXAMPLES / "posting_fr.txt").read_text(encoding="utf-8"), encoding="utf-8")
    where = subprocess.run([str(py), "-c", "import rolematch; print(rolematch.__file__)"], cwd=workdir, env=env,
                           capture_output=True, text=True, check=True)
    assert where.stdout.startswith(str(env_dir))
    exe = env_dir / "bin" / "rolematch"
    for cmd in (["skills", "p.txt"], ["rules", "check"], ["classify", "p.txt"]):
        res = subprocess.run([str(exe), *cmd], cwd=workdir, env=env, capture_output=True, text=True)
        assert res.returncode == 0, res.stderr
        assert "Traceback" not in res.stderr
    assert "data_cleaning" in subprocess.run([str(exe), "skills", "p.txt"], cwd=workdir, env=env,
                                             capture_output=True, text=True).stdout
    assert "data_scientist" in res.stdout


def test_the_declared_scikit_learn_is_the_one_the_default_model_loads_with():
    """Loading refuses a model trained with another scikit-learn, so the package must ask for that one:
    with ``scikit-learn>=1.5`` pip installed combinations in which nothing could be classified (helper 103)."""
    import json

    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    deps = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    sklearn = [d.replace(" ", "") for d in deps if d.startswith("scikit-learn")]
    manifest = json.loads((REPO / "models" / "default" / "manifest.json").read_text(encoding="utf-8"))
    assert sklearn == [f"scikit-learn=={manifest['versions']['scikit-learn']}"]
