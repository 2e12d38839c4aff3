"""Builds dupstrip._dupstrip with the project's own CMake build, so that the engine's sources and
compile flags are described once (CMakeLists.txt); setuptools only packages the result.

* By default: a fresh CMake build of the project around this folder (..) in setuptools'
  build_temp, of the library and the module only (no CLI, tests or install rules), for the
  interpreter running pip (sys.executable).
* DUPSTRIP_CMAKE_BUILD_DIR=DIR: DIR is an existing build of the project, configured with the
  module (DUPSTRIP_PYTHON, for this Python version): only its module target is brought up to
  date there (nothing is compiled again when it is up to date), and copied into the wheel. The
  tests use it to check `pip install` without building the engine a second time.

Environment: DUPSTRIP_CMAKE_ARGS (more configure arguments), CMAKE_BUILD_PARALLEL_LEVEL (build
jobs, default 2), DUPSTRIP_PY_BUILD_BASE (setuptools' build folder, default python/build).
"""

import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def project_version():
    """The version of project() in CMakeLists.txt (its single source), or of the given build."""
    cmakelists = ROOT / "CMakeLists.txt"
    if cmakelists.exists():
        m = re.search(r"project\(dupstrip\s+VERSION\s+([0-9.]+)", cmakelists.read_text())
        if m:
            return m.group(1)
    build = os.environ.get("DUPSTRIP_CMAKE_BUILD_DIR")
    if build and (Path(build) / "CMakeCache.txt").exists():
        m = re.search(r"^CMAKE_PROJECT_VERSION:STATIC=(.+)$", (Path(build) / "CMakeCache.txt").read_text(), re.M)
        if m:
            return m.group(1)
    raise RuntimeError(f"cannot find dupstrip's version: no project() in {cmakelists}")


class CMakeExtension(Extension):
    def __init__(self, name):
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        target = Path(self.get_ext_fullpath(ext.name)).resolve()
        jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL", "2")
        existing = os.environ.get("DUPSTRIP_CMAKE_BUILD_DIR")
        if existing:
            build = Path(existing).resolve()
        else:
            build = Path(self.build_temp).resolve() / "cmake"
            configure = ["cmake", "-S", str(ROOT), "-B", str(build), "-DCMAKE_BUILD_TYPE=Release",
                         "-DDUPSTRIP_PYTHON=ON", "-DDUPSTRIP_BUILD_CLI=OFF", "-DDUPSTRIP_BUILD_TESTS=OFF",
                         "-DDUPSTRIP_INSTALL=OFF", f"-DPython_EXECUTABLE={sys.executable}"]
            configure += shlex.split(os.environ.get("DUPSTRIP_CMAKE_ARGS", ""))
            subprocess.run(configure, check=True)
        subprocess.run(["cmake", "--build", str(build), "--target", "dupstrip_python", "-j", jobs], check=True)
        built = build / "python" / "dupstrip" / ("_dupstrip" + sysconfig.get_config_var("EXT_SUFFIX"))
        if not built.exists():
            raise RuntimeError(f"{built} was not built: is {build} a build of dupstrip with DUPSTRIP_PYTHON "
                               f"for Python {sys.version_info.major}.{sys.version_info.minor}?")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built, target)


build_base = os.environ.get("DUPSTRIP_PY_BUILD_BASE", "build")
os.makedirs(build_base, exist_ok=True)
setup(
    version=project_version(),
    ext_modules=[CMakeExtension("dupstrip._dupstrip")],
    cmdclass={"build_ext": CMakeBuild},
    options={"build": {"build_base": build_base}, "egg_info": {"egg_base": build_base}},
)
