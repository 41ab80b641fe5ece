"""XLIFF, TMX and TBX, measured as a translator meets them: each command's wall time and peak memory.

Runs the real `library` command (a process each, startup included) on a copy of the library:
export of every catalog as XLIFF, import of them all back unchanged and with one edited target,
TMX and TBX exports; then the refusals that must stay cheap (an entity bomb, a file nested
100,000 deep) and an outside memory of --units units (about 400 bytes each) imported, then read
by `library memory` as `library update` reads it. Prints seconds and peak resident memory (MiB).

    .venv/bin/python benchmarks/exchange_benchmark.py [--units 100000]
"""
from __future__ import annotations

import argparse
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent


def copy_project(folder: Path) -> Path:
    for name in ("papers", "locales", "templates"):
        shutil.copytree(REPOSITORY / name, folder / name)
    shutil.copyfile(REPOSITORY / "setup.cfg", folder / "setup.cfg")
    return folder


# Runs `python -m library` in a Python that reports its own peak memory as it exits (this interpreter's
# library: a copy of the repository without its own .venv, or with PYTHONPATH, measures its own code).
_MEASURED = ("import resource, runpy, sys\nsys.argv = ['library', *sys.argv[1:]]\ntry:\n    runpy.run_module("
             "'library', run_name='__main__', alter_sys=True)\nfinally:\n    print('peak', "
             "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n")


def timed(root: Path, *args: str) -> tuple[float, float, str]:
    """Seconds, peak MiB of the command's process, and its last line of output."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _MEASURED, *args], cwd=root, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    lines = (done.stdout + done.stderr).strip().splitlines()
    peak = next(int(line.split()[1]) for line in lines if line.startswith("peak "))
    output = [line for line in lines if not line.startswith("peak ")]
    return seconds, peak / 1024, output[-1] if output else ""


def big_memory(path: Path, units: int) -> None:
    with path.open("w", encoding="utf-8") as stream:
        stream.write('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n<tmx version="1.4">\n'
                     '<header creationtool="bench" creationtoolversion="1" segtype="sentence" o-tmf="x" '
                     'adminlang="en" srclang="en" datatype="plaintext"/>\n<body>\n')
        for number in range(units):
            stream.write(f'<tu><tuv xml:lang="en"><seg>Sentence {number} of the outside memory, about the '
                         f'review of the Global Compact.</seg></tuv><tuv xml:lang="fr-FR"><seg>Phrase {number} '
                         "de la mémoire extérieure, sur l’examen du Pacte mondial.</seg></tuv></tu>\n")
        stream.write("</body>\n</tmx>\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=100_000)
    options = parser.parse_args()
    print(f"{platform.processor() or platform.machine()}, {len(__import__('os').sched_getaffinity(0))} cores, "
          f"Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as scratch:
        root = copy_project(Path(scratch) / "library")
        out = Path(scratch) / "out"
        rows = [("export xliff (12 catalogs)", timed(root, "export", "xliff", "--output", str(out)))]
        size = sum(path.stat().st_size for path in out.glob("*.xlf"))
        rows.append(("import the 12 back, unchanged", timed(root, "import", *map(str, sorted(out.glob("*.xlf"))))))
        one = out / "what-is-the-imrf.fr.xlf"
        one.write_text(one.read_text("utf-8").replace(">Bureau Quaker auprès des Nations Unies<",
                                                      ">Bureau quaker auprès des Nations unies<", 1), "utf-8")
        rows.append(("import one file, one target edited", timed(root, "import", str(one))))
        rows.append(("export tmx (fr and es)", timed(root, "export", "tmx", "--output", str(out))))
        rows.append(("export tbx", timed(root, "export", "tbx", "--output", str(out))))
        bomb = out / "bomb.xlf"
        bomb.write_text('<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
                        + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
                        + ']>\n<xliff version="1.2">&i;</xliff>\n', "utf-8")
        rows.append(("refuse an entity bomb (10^9 expansions)", timed(root, "import", str(bomb))))
        deep = out / "deep.xlf"
        deep.write_text('<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">'
                        + "<group>" * 100_000, "utf-8")
        rows.append(("refuse a file nested 100,000 deep", timed(root, "import", str(deep))))
        memory = out / "outside.tmx"
        big_memory(memory, options.units)
        rows.append((f"import an outside TMX, {options.units:,} units ({memory.stat().st_size / 2**20:.0f} MiB)",
                     timed(root, "import", str(memory))))
        rows.append(("the memory read with it (`library memory`)",
                     timed(root, "memory", "Sentence 5 of the outside memory, about the review", "--lang", "fr")))
    print(f"XLIFF export: {size / 1024:.0f} kB for 12 catalogs")
    width = max(len(name) for name, _ in rows)
    for name, (seconds, peak, last) in rows:
        print(f"{name:<{width}}  {seconds:6.2f} s  {peak:6.0f} MiB  | {last[:90]}")


if __name__ == "__main__":
    sys.exit(main())
