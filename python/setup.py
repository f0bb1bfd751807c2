"""Builds libSoftmaxKitC with the Swift toolchain and ships it inside the package.

The library is built in release mode for this machine's CPU (`-target-cpu native`: AVX2, FMA,
AVX-512 where present). Set SOFTMAXKIT_PORTABLE=1 for a build that runs on any CPU of the
architecture. The Swift package is the folder above this one.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

PACKAGE_ROOT = Path(__file__).resolve().parent.parent


class BuildWithSwift(build_py):
    def run(self):
        portable = os.environ.get("SOFTMAXKIT_PORTABLE", "") not in ("", "0")
        # The native build shares the package's default build folder, so installing after
        # `swift build -c release -Xswiftc -target-cpu -Xswiftc native` compiles nothing again.
        scratch = PACKAGE_ROOT / (".build-python-portable" if portable else ".build")
        command = ["swift", "build", "-c", "release", "--product", "SoftmaxKitC",
                   "--package-path", str(PACKAGE_ROOT), "--scratch-path", str(scratch)]
        if not portable:
            command += ["-Xswiftc", "-target-cpu", "-Xswiftc", "native"]
        print("softmaxkit: building libSoftmaxKitC "
              + ("for any CPU (SOFTMAXKIT_PORTABLE=1)" if portable
                 else "for this machine's CPU (-target-cpu native; set SOFTMAXKIT_PORTABLE=1 for a portable build)"),
              file=sys.stderr, flush=True)
        if shutil.which("swift") is None:
            sys.exit("softmaxkit: the Swift toolchain ('swift') is not on PATH; install Swift 6 (https://swift.org/install) and retry")
        subprocess.run(command, check=True)
        built = [p for name in ("libSoftmaxKitC.so", "libSoftmaxKitC.dylib")
                 for p in [scratch / "release" / name] if p.exists()]
        if not built:
            sys.exit(f"softmaxkit: the Swift build produced no libSoftmaxKitC in {scratch / 'release'}")
        super().run()
        target = Path(self.build_lib) / "softmaxkit"
        target.mkdir(parents=True, exist_ok=True)
        for library in built:
            shutil.copy2(library, target / library.name)


class BinaryDistribution(Distribution):
    """The wheel carries a compiled library: tag it for this platform, not as pure Python."""

    def has_ext_modules(self):
        return True


setup(cmdclass={"build_py": BuildWithSwift}, distclass=BinaryDistribution)
