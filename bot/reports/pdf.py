"""The official report as a PDF, converted from the DOCX by LibreOffice when it is installed.

LibreOffice (`soffice`, Debian's `libreoffice-writer-nogui`) lays the document out exactly
as Word does for this kind of page (Times New Roman falls back to the metric-compatible
Liberation Serif). It is an optional system package, not a Python dependency: without it
`report --format pdf` says how to install it, and the DOCX works everywhere.

Each conversion uses a throwaway LibreOffice profile, so two conversions at once (or a
desktop LibreOffice the operator has open) never share a lock.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

CONVERT_TIMEOUT = 120.0  # seconds; the first start of LibreOffice builds its profile
INSTALL_HINT = "install LibreOffice (Debian: apt-get install libreoffice-writer-nogui)"


class PdfUnavailableError(Exception):
    """No converter here, or it failed; the message is one line for the operator."""


def soffice() -> str | None:
    """LibreOffice's command, when installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(docx: bytes, *, timeout: float = CONVERT_TIMEOUT) -> bytes:
    """The PDF of a .docx; blocking (seconds): call it in a worker thread."""
    command = soffice()
    if command is None:
        raise PdfUnavailableError(f"PDF needs LibreOffice, which is not installed: {INSTALL_HINT}")
    with tempfile.TemporaryDirectory(prefix="agency-bot-pdf-") as folder:
        work = Path(folder)
        source = work / "bao-cao.docx"
        source.write_bytes(docx)
        arguments = [
            command,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            str(source),
        ]
        try:
            # Our own arguments and a file we wrote: nothing from a user reaches the command.
            finished = subprocess.run(  # noqa: S603
                arguments, capture_output=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            raise PdfUnavailableError(
                f"LibreOffice did not convert the report within {timeout:.0f} s"
            ) from None
        target = work / "bao-cao.pdf"
        if not target.exists():
            said = (finished.stderr or finished.stdout).decode(errors="replace").strip()
            last = said.splitlines()[-1] if said else f"exit status {finished.returncode}"
            raise PdfUnavailableError(f"LibreOffice could not convert the report: {last}")
        return target.read_bytes()
