"""Print or write one result in the format asked for; check --fail-under / --fail-over."""

from __future__ import annotations

import contextlib
import errno
import math
import os
import stat
import tempfile
import time
from pathlib import Path

from cxkit.cli.context import Env
from cxkit.errors import CxkitError, ExitCode, IOFailure, OutputError, UsageError

EXTENSIONS = {".csv": "csv", ".tsv": "tsv", ".json": "json", ".ndjson": "ndjson",
              ".jsonl": "ndjson", ".md": "markdown", ".txt": "table"}
# errors of the disk, not of the path: exit 74 (I/O error), not 73 (cannot create)
DISK_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EFBIG}
# O_TMPFILE not there: an old kernel (EISDIR), a file system without it (EOPNOTSUPP)
NO_TMPFILE = {errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOSYS}
FIFO_WAIT_S = 1.0  # a FIFO's reader may be a moment late; after this, nobody reads it


class ThresholdCrossed(CxkitError):
    exit_code = ExitCode.THRESHOLD


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _failed(path: str, doing: str, exc: OSError, hint: str | None = None) -> CxkitError:
    """A full disk or an I/O error is exit 74; a path that cannot be made (no folder, no
    permission, read-only file system) is exit 73."""
    reason = exc.strerror or str(exc)
    if exc.errno in DISK_ERRNOS:
        return IOFailure(f"{path}: cannot write: {reason}")
    return OutputError(f"{path}: cannot {doing}: {reason}", hint)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _through_proc(path: str) -> bool:
    """/dev/stdout, /dev/fd/N, /proc/self/fd/N: names of an open descriptor, not of a file."""
    current = os.path.abspath(path)
    for _ in range(40):
        folder = os.path.realpath(os.path.dirname(current))
        if folder == "/proc" or folder.startswith("/proc/"):
            return True
        if not os.path.islink(current):
            return False
        current = os.path.join(folder, os.readlink(current))
    return False


def write_atomic(path: str, text: str | bytes) -> None:
    """Write the output to `path`.

    A regular file or a new path is replaced atomically: an unnamed file (O_TMPFILE) in the same
    folder is written, flushed to disk, then given a name and renamed over the target, so a reader
    (or a crash, even SIGKILL) sees the old file or the whole new one, and no half-written temp
    file is left behind. The new file keeps the mode of the one it replaces (new: 0666 & ~umask).
    A character device (/dev/null), a FIFO or a descriptor (/dev/stdout) is written straight
    into, never replaced by a file; a folder is refused."""
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None  # a new file (or a dangling link: written where it points, as open() would)
    except OSError as exc:
        raise _failed(path, "create", exc, "check the folder exists and is writable") from exc
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise OutputError(f"{path}: is a folder, not a file",
                          f"give a file name, e.g. {os.path.join(path, 'result.csv')}")
    if st is not None and (not stat.S_ISREG(st.st_mode) or _through_proc(path)):
        _write_into(path, data, st)
        return
    # a symbolic link to a file: the file it points to is replaced, the link stays
    target = os.path.realpath(path) if os.path.islink(path) else path
    mode = stat.S_IMODE(st.st_mode) if st is not None else 0o666 & ~_umask()
    folder = os.path.dirname(target) or "."
    if not _replace_tmpfile(path, target, folder, data, st, mode):
        _replace_mkstemp(path, target, folder, data, st, mode)


def _write_into(path: str, data: bytes, st: os.stat_result) -> None:
    """Straight into a device, a FIFO or an open descriptor: the node itself stays as it is."""
    fifo = stat.S_ISFIFO(st.st_mode)
    flags = os.O_WRONLY | os.O_NOCTTY | os.O_CLOEXEC
    if stat.S_ISREG(st.st_mode):  # /dev/stdout on `> file`: after what the shell put there
        flags |= os.O_APPEND
    deadline = time.monotonic() + FIFO_WAIT_S
    while True:
        try:
            # a FIFO with no reader would block open() for ever: O_NONBLOCK fails with ENXIO
            fd = os.open(path, flags | (os.O_NONBLOCK if fifo else 0))
            break
        except OSError as exc:
            if fifo and exc.errno == errno.ENXIO:
                if time.monotonic() < deadline:
                    time.sleep(0.05)
                    continue
                raise OutputError(f"{path}: a FIFO that no process reads",
                                  f"start the reader first, e.g. cat {path} &") from exc
            raise _failed(path, "open", exc, "check the permissions") from exc
    try:
        if fifo:
            os.set_blocking(fd, True)  # the reader is there: wait for it as a pipe does
        _write_all(fd, data)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.close(fd)
        raise IOFailure(f"{path}: cannot write: {exc.strerror or exc}") from exc
    try:
        os.close(fd)
    except OSError as exc:  # a close that fails (EIO, ENOSPC on NFS) lost data: say so
        raise IOFailure(f"{path}: cannot write: {exc.strerror or exc}") from exc


def _fill(fd: int, st: os.stat_result | None, mode: int, data: bytes) -> None:
    """The new file's owner and mode as the one it replaces, its bytes, on the disk."""
    _keep_owner(fd, st, mode)
    _write_all(fd, data)
    os.fsync(fd)


def _keep_owner(fd: int, st: os.stat_result | None, mode: int) -> None:
    """The replacement gets the replaced file's owner and group (when allowed), then its mode."""
    if st is not None and (st.st_uid, st.st_gid) != (os.geteuid(), os.getegid()):
        try:
            os.fchown(fd, st.st_uid, st.st_gid)
        except PermissionError:
            pass
    os.fchmod(fd, mode)  # explicit: O_TMPFILE and mkstemp apply the umask, or 0600


def _replace_tmpfile(path: str, target: str, folder: str, data: bytes,
                     st: os.stat_result | None, mode: int) -> bool:
    """O_TMPFILE: the file has no name until it is complete. False when it is not supported."""
    try:
        fd = os.open(folder, os.O_TMPFILE | os.O_WRONLY | os.O_CLOEXEC, mode)
    except AttributeError:  # not Linux
        return False
    except OSError as exc:
        if exc.errno in NO_TMPFILE:
            return False
        raise _failed(path, "create", exc, "check the folder exists and is writable") from exc
    try:
        try:
            _fill(fd, st, mode, data)
        except OSError as exc:
            raise IOFailure(f"{path}: cannot write: {exc.strerror or exc}") from exc
        name = _link(path, fd, folder, os.path.basename(target))
        if name is None:
            return False
    finally:
        os.close(fd)
    _rename(path, name, target)
    return True


def _link(path: str, fd: int, folder: str, base: str) -> str | None:
    """Give the unnamed file a temporary name next to the target; None when this file system
    (or a missing /proc) does not allow it, and a named temp file must do."""
    try:
        dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as exc:
        raise _failed(path, "create", exc, "check the folder exists and is writable") from exc
    try:
        for _ in range(100):
            name = f".{base}.{os.urandom(4).hex()}.tmp"
            try:
                # linkat(AT_SYMLINK_FOLLOW) of /proc/self/fd/N: a plain link() would link the
                # /proc symlink itself (EXDEV); a dst_dir_fd makes Python call linkat
                os.link(f"/proc/self/fd/{fd}", name, dst_dir_fd=dir_fd, follow_symlinks=True)
                return os.path.join(folder, name)
            except FileExistsError:
                continue
            except OSError as exc:
                if exc.errno in (errno.ENOENT, errno.EXDEV, errno.EPERM, errno.EOPNOTSUPP):
                    return None
                raise _failed(path, "create", exc, "check the folder is writable") from exc
        raise OutputError(f"{path}: cannot create a temporary name in {folder}")
    finally:
        os.close(dir_fd)


def _rename(path: str, name: str, target: str) -> None:
    try:
        os.replace(name, target)
    except OSError as exc:
        Path(name).unlink(missing_ok=True)
        raise _failed(path, "replace", exc, "check the folder is writable") from exc


def _replace_mkstemp(path: str, target: str, folder: str, data: bytes,
                     st: os.stat_result | None, mode: int) -> None:
    """Where O_TMPFILE is not supported: a named temp file, removed when anything fails."""
    base = os.path.basename(target)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{base}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise _failed(path, "create", exc, "check the folder exists and is writable") from exc
    try:
        try:
            _fill(fd, st, mode, data)
        finally:
            os.close(fd)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise IOFailure(f"{path}: cannot write: {exc.strerror or exc}") from exc
    _rename(path, tmp, target)


def guard_output(output: str | None, inputs: list[str]) -> None:
    """Never write over an input file: exports are read, never modified."""
    if not output:
        return
    target = Path(output).resolve()
    for item in inputs:
        if item != "-" and Path(item).exists() and Path(item).resolve() == target:
            raise OutputError(f"--output {output}: this is an input file",
                              "write the result to another file name")


def choose_format(fmt: str | None, output: str | None, env: Env) -> str:
    if fmt:
        return fmt
    if output:
        ext = Path(output).suffix.lower()
        if ext not in EXTENSIONS:
            raise UsageError(
                f"--output {output}: unknown extension '{ext}'",
                "use one of " + " ".join(EXTENSIONS) + ", or pass --format",
            )
        return EXTENSIONS[ext]
    return "table" if env.stdout_isatty else "csv"


def render_text(result, fmt: str, env: Env, width: int = 100) -> str:
    """One KpiResult, or a list of them (commands that report several KPIs)."""
    from io import StringIO

    many = isinstance(result, list)
    if fmt == "table":
        from rich.console import Console

        from cxkit.render.table import render, render_many

        buf = StringIO()
        (render_many if many else render)(
            result, Console(file=buf, width=width, no_color=True, highlight=False))
        return buf.getvalue()
    from cxkit.render.machine import RENDERERS, RENDERERS_MANY

    return (RENDERERS_MANY if many else RENDERERS)[fmt](result)


def _why_view(result) -> bool:
    """A change with its drivers, a test plan or a comparison with a control group."""
    return not isinstance(result, list) and (
        result.kpi.endswith(("_change", "_plan")) or hasattr(result, "control"))


def _emit_why(result, fmt: str | None, value: bool, output: str | None, env: Env) -> None:
    from cxkit.render.explain import render, render_text, value_text

    if value:
        text = value_text(result)
        if text is None:
            raise UsageError("--value: several groups are compared with the control, so there "
                             "is no single number", "use --format csv or json, or keep two "
                             "groups with --by")
    else:
        fmt = choose_format(fmt, output, env)
        if fmt == "table" and not output:
            render(result, env.console())
            return
        text = render_text(result, fmt)
    deliver(text, output, env)


def emit(result, fmt: str | None, value: bool, output: str | None, env: Env) -> None:
    if _why_view(result):
        _emit_why(result, fmt, value, output, env)
        return
    if value:
        from cxkit.render.machine import to_value

        text = to_value(result)
    else:
        fmt = choose_format(fmt, output, env)
        if fmt == "table" and not output:
            from cxkit.render.table import render, render_many

            (render_many if isinstance(result, list) else render)(result, env.console())
            return
        text = render_text(result, fmt, env)
    deliver(text, output, env)


def deliver(text: str | bytes, output: str | None, env: Env) -> None:
    """Rendered output to -o FILE (atomically, with a notice on stderr), else to stdout."""
    if output:
        write_atomic(output, text)
        env.notice(f"wrote {output}")
    else:
        env.stdout.write(text)
        env.stdout.flush()


def tell_notes(results, where: str, env: Env) -> None:
    """What a KPI noticed while reading (notes) and what may be wrong (warnings), on stderr."""
    for r in results if isinstance(results, list) else [results]:
        for note in r.notes:
            env.notice(f"{where}: {note}")
        for warning in r.warnings:
            env.warn(f"{where}: {warning}")


def check_thresholds(result, fail_under: float | None, fail_over: float | None, env: Env):
    name = result.kpi.upper()
    for limit, option in ((fail_under, "--fail-under"), (fail_over, "--fail-over")):
        if limit is not None:  # the command line refuses nan already (cxkit.cli.main)
            _finite(limit, option)
    if result.value is None:
        if fail_under is not None or fail_over is not None:
            env.warn(f"{name} has no value (no usable rows): thresholds not checked")
        return
    # compare what is printed: CSAT 57.142... shows as 57.1, which is not over --fail-over 57.1
    shown = round(result.value, result.digits) + 0.0
    if fail_under is not None and shown < fail_under:
        raise ThresholdCrossed(f"{name} {shown} is under --fail-under {fail_under:g}")
    if fail_over is not None and shown > fail_over:
        raise ThresholdCrossed(f"{name} {shown} is over --fail-over {fail_over:g}")


def parse_thresholds(items: list[str] | None, option: str, names: list[str]) -> dict[str, float]:
    """`--fail-over resolution_time=24` (repeatable) -> {"resolution_time": 24.0}."""
    import difflib

    out = {}
    known = "KPIs: " + ", ".join(names)
    for item in items or []:
        name, sep, num = item.partition("=")
        name = name.strip().replace("-", "_")
        example = f"e.g. {option} {names[0]}=30" if names else ""
        if not sep:
            raise UsageError(f"{option} '{item}': expected KPI=NUMBER",
                             f"{example} (a bare number needs --kpi); {known}")
        if name not in names:
            close = difflib.get_close_matches(name, names, n=1)
            raise UsageError(f"{option} '{item}': unknown KPI '{name}'",
                             (f"did you mean '{close[0]}'? " if close else "") + known)
        try:
            value = float(num)
        except ValueError:
            raise UsageError(f"{option} '{item}': '{num.strip()}' is not a number",
                             f"{example}; {known}") from None
        _finite(value, f"{option} '{item}'")
        out[name] = value
    return out


def _finite(limit: float, where: str) -> None:
    """nan is never crossed and inf always is: a threshold that means nothing is a usage error."""
    if not math.isfinite(limit):
        raise UsageError(f"{where}: {limit} is not a finite number",
                         "give a number such as 30")


def check_many(results, under: dict[str, float], over: dict[str, float], env: Env) -> None:
    """Exit 3 when any KPI crosses its threshold; every crossing is named."""
    for limits, option in ((under, "--fail-under"), (over, "--fail-over")):
        for kpi, limit in limits.items():  # limits from cxkit.toml are not parsed here
            _finite(limit, f"{option} {kpi}={limit} (command line or cxkit.toml)")
    crossed = []
    for r in results:
        for limits, word, bad in ((under, "under --fail-under", lambda v, t: v < t),
                                  (over, "over --fail-over", lambda v, t: v > t)):
            if r.kpi not in limits:
                continue
            if r.value is None:
                env.warn(f"{r.kpi} has no value (no usable rows): thresholds not checked")
                continue
            shown = round(r.value, r.digits) + 0.0
            if bad(shown, limits[r.kpi]):
                crossed.append(f"{r.kpi} {shown:g} is {word} {limits[r.kpi]:g}")
    if crossed:
        raise ThresholdCrossed("; ".join(crossed))


def thresholds(args: dict, only: str | None, names: list[str]) -> tuple[dict, dict]:
    """--fail-under / --fail-over as {kpi: X}; with one KPI chosen a bare number applies to it."""
    out: tuple[dict, dict] = ({}, {})
    for store, opt in zip(out, ("fail_under", "fail_over"), strict=True):
        items = args.get(opt) or []
        if only:
            items = [i if "=" in i else f"{only}={i}" for i in items]
        store.update(parse_thresholds(items, "--" + opt.replace("_", "-"), names))
    return out


def column_roles(items: list[str] | None, roles: tuple[str, ...]) -> dict[str, str]:
    """`--column reopens=Reopen count` (repeatable) -> {"reopens": "Reopen count"}."""
    out = {}
    for item in items or []:
        role, sep, col = item.partition("=")
        role = role.strip()
        if not sep or role not in roles or not col.strip():
            raise UsageError(f"--column '{item}': expected ROLE=COLUMN",
                             "roles: " + ", ".join(roles))
        out[role] = col.strip()
    return out


def why_options(args: dict, only: str | None, by: list[str]) -> dict:
    """--versus / --correction / --expected-split / --fail-on-drop / --fail-on-change of a ticket
    or order command, checked before any file is read."""
    why = {"versus": args.get("versus"), "split": args.get("expected_split"),
           "plan": args.get("plan"), "mde": args.get("mde"),
           "correction": args["correction"].value if args.get("correction") else "holm",
           "fail": "--fail-on-change" if args.get("fail_on_change") else
                   "--fail-on-drop" if args.get("fail_on_drop") else None}
    if why["fail"] and not args.get("period"):
        raise UsageError(f"{why['fail']} needs --period: it looks at the change between periods",
                         f"e.g. --period month {why['fail']}")
    if why["versus"]:
        if len(by) != 1 or not only:
            raise UsageError("--versus needs one --by COL and one --kpi: the groups, and the "
                             "KPI compared", "e.g. --by variant --kpi fcr --versus control")
        if args.get("period"):
            raise UsageError("--versus with --period: compare over the whole span here",
                             "drop --period (or --since/--until to choose the span)")
    if bool(why["plan"]) != (why["mde"] is not None):
        raise UsageError("--plan and --mde go together: the plan needs the difference to find",
                         "e.g. --kpi fcr --plan --mde 5")
    if why["plan"]:
        if not only:
            raise UsageError("--plan needs one --kpi: the KPI the test is planned for",
                             "e.g. --kpi fcr --plan --mde 5")
        if args.get("period"):
            raise UsageError("--plan with --period: the plan uses the whole span",
                             "drop --period (or --since/--until to choose the span)")
        if len(by) > 1:
            raise UsageError("--plan takes at most one --by COL: the groups of the test")
    if why["split"] and not (why["versus"] or why["plan"]):
        raise UsageError("--expected-split needs --by COL and --versus VALUE (or --plan)",
                         "e.g. --by variant --versus control --expected-split 50/50")
    return why


def compared(result, why: dict):
    """The --versus view (or the --plan) of one KPI's result (else the result itself)."""
    if not why["versus"] and not why.get("plan"):
        return result
    from cxkit.kpi import moves

    if why.get("plan"):
        if result.value is not None and not result.basis:
            raise UsageError(f"--plan: {result.kpi} has no test (a count or a median)",
                             "pick a share or a mean, e.g. --kpi fcr, --kpi resolution_time, "
                             "--kpi aov")
        by = result.group_keys[0] if result.group_keys else None
        return moves.plan(result, why["mde"], by, why["versus"], why["split"],
                          why["correction"], result.confidence)
    if not moves.can_compare(result):
        raise UsageError(f"--versus: {result.kpi} has no test (a count or a median)",
                         "pick a share or a mean, e.g. --kpi fcr, --kpi resolution_time, "
                         "--kpi aov")
    return moves.versus(result, result.group_keys[0], why["versus"], why["correction"],
                        why["split"], result.confidence)


def check_moves(results, why: dict, env: Env) -> None:
    """Exit 3 when a KPI's last change is a significant move in its bad direction (any
    direction with --fail-on-change); every such KPI is named."""
    if not why["fail"]:
        return
    from cxkit.kpi import moves

    either = why["fail"] == "--fail-on-change"
    messages = [m for r in (results if isinstance(results, list) else [results])
                if (m := moves.alarm(r, either, why["fail"]))]
    if messages:
        raise ThresholdCrossed("; ".join(messages))
