"""A real Ubuntu 22.04 root, as Gradescope's base image is, to run the zip's own scripts in.

``debootstrap`` builds a minimal jammy root from Ubuntu's archive (once; it is kept under
``build/``), with jammy-updates and jammy-security as the image has them. Each new zip's
``setup.sh`` runs on a fresh copy of it, as Gradescope builds each image from its base:
never on what an earlier zip's setup left installed (which would hide a setup.sh that no
longer installs what the grader needs). Commands run in it
as root in a mount namespace of their own, chrooted into a bind mount of the root so that it
is a mount point (the sandbox's ``pivot_root`` needs one, as it has in Gradescope's
container), with a fresh ``/proc`` and the host's ``/dev`` and ``/sys``. Each run can be
confined to a cgroup with a memory limit and a CPU quota, as Gradescope confines a container.

Two things are not Gradescope's: the host's CA bundle is copied in and given to pip, because
these machines reach the package registry through a TLS proxy; and the host's folder of
sandbox-uid claims is mounted in, because the root shares the host's uids (a Gradescope
container has its machine to itself) and the suite grades on the host at the same time.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

from helpers import ROOT

from autograder.sandbox.uids import UID_LOCK_DIR

ARCHIVE = "http://archive.ubuntu.com/ubuntu"
KEYRING_DEB = "https://archive.ubuntu.com/ubuntu/pool/main/u/ubuntu-keyring/ubuntu-keyring_2021.03.26_all.deb"
KEYRING_SHA256 = "0d0e7ed6b112f5d03eabf3c7eb01ebdacf9c57714b279e90495cfc58c8c4520f"
"""Its sha256 in jammy's Packages index."""
SOURCES = "".join(f"deb {ARCHIVE} {suite} main universe\n" for suite in ("jammy", "jammy-updates", "jammy-security"))
DEFAULT_ROOT = ROOT / "build" / "gradescope-image" / "jammy"
"""The root a zip is installed in and submissions run in."""
DEFAULT_BASE = ROOT / "build" / "gradescope-image" / "jammy-base"
"""The root as debootstrap made it (never run in): each new zip starts from a copy."""
INSTALLED_MARKER = "opt/autograder-installed-on-base"
HOST_CA = Path("/etc/ssl/certs/ca-certificates.crt")
CGROUP = Path("/sys/fs/cgroup")


class ImageUnavailable(RuntimeError):
    """The root cannot be built here (no debootstrap, no root, no route to Ubuntu's archive)."""


def archive_reachable() -> bool:
    """Whether Ubuntu's archive answers (the test needs it, as Gradescope's image build does)."""
    try:
        with urllib.request.urlopen(f"{ARCHIVE}/dists/jammy/Release", timeout=10) as response:
            return response.status == 200
    except OSError:
        return False


def _keyring(folder: Path) -> Path:
    """Ubuntu's archive keyring, from its own package (Debian does not ship it)."""
    target = folder / "ubuntu-archive-keyring.gpg"
    if target.exists():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    deb = folder / "ubuntu-keyring.deb"
    with urllib.request.urlopen(KEYRING_DEB, timeout=60) as response:
        data = response.read()
    if hashlib.sha256(data).hexdigest() != KEYRING_SHA256:
        raise ImageUnavailable(f"{KEYRING_DEB} does not have the sha256 of jammy's Packages index")
    deb.write_bytes(data)
    extracted = folder / "keyring"
    subprocess.run(["dpkg-deb", "-x", str(deb), str(extracted)], check=True)
    shutil.copy(extracted / "usr/share/keyrings/ubuntu-archive-keyring.gpg", target)
    return target


class UbuntuRoot:
    """A jammy root filesystem at ``path``, copied from a pristine one at ``base``.

    Args:
        path: where the root a zip is installed in lives.
        base: where debootstrap's root is kept (built there by :meth:`ensure` if missing).
    """

    def __init__(self, path: Path = DEFAULT_ROOT, base: Path = DEFAULT_BASE) -> None:
        self.path = path
        self.base = base

    def ensure(self) -> None:
        """Build the base root with debootstrap unless it is already there.

        Raises:
            ImageUnavailable: when this machine cannot build it.
        """
        if (self.base / "etc" / "os-release").exists():
            return
        if os.geteuid() != 0 or shutil.which("debootstrap") is None:
            raise ImageUnavailable("building an Ubuntu root needs root and debootstrap (`make test` installs it)")
        if not archive_reachable():
            raise ImageUnavailable(f"{ARCHIVE} is not reachable from this machine")
        keyring = _keyring(self.base.parent / "keyring")
        partial = self.base.with_name(self.base.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        subprocess.run(["debootstrap", "--variant=minbase", f"--keyring={keyring}", "--components=main,universe",
                        "jammy", str(partial), ARCHIVE], check=True, capture_output=True)
        (partial / "etc" / "apt" / "sources.list").write_text(SOURCES)
        partial.rename(self.base)

    def run(self, command: list[str], *, env: dict[str, str] | None = None, memory_mb: int | None = None,
            cpus: float | None = None, timeout_s: float = 1200) -> subprocess.CompletedProcess:
        """Run ``command`` as root inside the root, optionally in a cgroup with these limits."""
        certs = self.path / "etc" / "ssl" / "certs"
        certs.mkdir(parents=True, exist_ok=True)
        shutil.copy(HOST_CA, certs / "host-ca-bundle.crt")
        variables = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root",
                     "LANG": "C.UTF-8", "PIP_CERT": "/etc/ssl/certs/host-ca-bundle.crt", **(env or {})}
        # the host's claims on sandbox uids, shared: the root's processes run under the host kernel's uids, and
        # a grader in it that kept its own claims could take (and kill) the uids of a grader on the host
        UID_LOCK_DIR.mkdir(mode=0o700, exist_ok=True)
        (self.path / UID_LOCK_DIR.relative_to("/")).mkdir(mode=0o700, parents=True, exist_ok=True)
        script = ('set -e; mount --make-rprivate /; mount --bind "$0" "$0"; mount -t proc proc "$0/proc"; '
                  'mount --rbind /dev "$0/dev"; mount --rbind /sys "$0/sys"; cp /etc/resolv.conf "$0/etc/resolv.conf"; '
                  f'mount --bind {UID_LOCK_DIR} "$0{UID_LOCK_DIR}"; '
                  'exec chroot "$0" /usr/bin/env -i "$@"')
        argv = ["unshare", "--mount", "--fork", "bash", "-c", script, str(self.path),
                *(f"{k}={v}" for k, v in variables.items()), *command]
        with _confined(memory_mb, cpus) as enter:
            return subprocess.run(argv, capture_output=True, text=True, timeout=timeout_s, preexec_fn=enter)

    def install(self, autograder_zip: Path) -> subprocess.CompletedProcess | None:
        """On a fresh copy of the base root, unpack the zip as Gradescope does and run its setup.sh
        (skipped when this zip is the one installed).

        Returns:
            setup.sh's finished process, or None when it had already run for these bytes.
        """
        digest = hashlib.sha256(autograder_zip.read_bytes()).hexdigest()
        marker = self.path / INSTALLED_MARKER
        if marker.exists() and marker.read_text() == digest:
            return None
        shutil.rmtree(self.path, ignore_errors=True)
        subprocess.run(["cp", "-a", str(self.base), str(self.path)], check=True)
        source = self.path / "autograder" / "source"
        source.mkdir(parents=True)
        with zipfile.ZipFile(autograder_zip) as zf:
            zf.extractall(source)
        for name in ("setup.sh", "run_autograder"):
            (source / name).chmod(0o755)
        shutil.copy(source / "run_autograder", self.path / "autograder" / "run_autograder")
        proc = self.run(["bash", "/autograder/source/setup.sh"])
        if proc.returncode == 0:
            marker.write_text(digest)
        return proc

    def submit(self, files: dict[str, bytes], *, memory_mb: int | None = None,
               cpus: float | None = None) -> tuple[subprocess.CompletedProcess, Path]:
        """Put ``files`` in /autograder/submission and run /autograder/run_autograder as Gradescope does.

        Returns:
            The finished process and the path of results.json on the host.
        """
        base = self.path / "autograder"
        for folder in ("submission", "results"):
            shutil.rmtree(base / folder, ignore_errors=True)
            (base / folder).mkdir(parents=True)
        for name, data in files.items():
            (base / "submission" / name).write_bytes(data)
        proc = self.run(["bash", "-c", "cd /autograder && ./run_autograder"], memory_mb=memory_mb, cpus=cpus)
        return proc, base / "results" / "results.json"


@contextlib.contextmanager
def _confined(memory_mb: int | None, cpus: float | None) -> Iterator[object]:
    """A cgroup with these limits (v2, or v1's memory and cpu hierarchies) and a preexec_fn entering it."""
    if memory_mb is None and cpus is None:
        yield None
        return
    name = f"gradescope-image-{os.getpid()}"
    if (CGROUP / "cgroup.controllers").exists() and "memory" in (CGROUP / "cgroup.controllers").read_text():
        folders = [CGROUP / name]
        folders[0].mkdir()
        if memory_mb is not None:
            (folders[0] / "memory.max").write_text(str(memory_mb << 20))
        if cpus is not None:
            (folders[0] / "cpu.max").write_text(f"{int(cpus * 100000)} 100000")
    else:
        folders = [CGROUP / "memory" / name, CGROUP / "cpu" / name]
        for folder in folders:
            folder.mkdir()
        if memory_mb is not None:
            (folders[0] / "memory.limit_in_bytes").write_text(str(memory_mb << 20))
        if cpus is not None:
            (folders[1] / "cpu.cfs_period_us").write_text("100000")
            (folders[1] / "cpu.cfs_quota_us").write_text(str(int(cpus * 100000)))

    def enter() -> None:
        for folder in folders:
            (folder / "cgroup.procs").write_text(str(os.getpid()))

    try:
        yield enter
    finally:
        for folder in folders:
            for child in sorted(folder.rglob("*"), reverse=True):  # groups the grader made inside
                if child.is_dir():
                    with contextlib.suppress(OSError):
                        child.rmdir()
            with contextlib.suppress(OSError):
                folder.rmdir()
