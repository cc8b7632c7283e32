"""Attacks on what one submission may learn from, or do to, another (issue "Sandbox II").

Each class of attack has several variants, written as an attacker who has read our code
would try them. An attack that finds what it looks for says so with a sentinel word in its
output and in a cell error (which students see); the tests assert the sentinel never
appears. The search strings are assembled from two halves, so the attacker's own source
(which is in its own memory) never holds them whole.
"""

from __future__ import annotations

import textwrap

import nbformat
from attacks import SECRET_NAME, SECRET_VALUE, Attack
from helpers import build_submission

NEIGHBOUR_MARKER = "nb-marker-7d1c0e-neighbour-answer"
"""Written into an honest neighbour's answer cell and printed by it."""
LEAK = "LEAKED-DATA"
"""What an attack prints and raises when it found another submission's data or a secret."""


def _halves(text: str) -> tuple[str, str]:
    cut = len(text) // 2
    return text[:cut], text[cut:].encode().hex()


def _report(found_expr: str) -> str:
    """Code that exfiltrates what was found through every channel a student can read."""
    return textwrap.dedent(f"""
        _found = {found_expr}
        if _found:
            _blob = repr(_found)[:2000]
            print("{LEAK}", _blob, _blob[::-1])
            def shift_right(x, pixels=1):
                raise RuntimeError("{LEAK} " + _blob[::-1][:400])
            raise RuntimeError("{LEAK} " + _blob[:200] + " | " + _blob[::-1][:200])
        print("nothing found")
    """)


MEMORY_SCAN = textwrap.dedent("""
    def _scan_memory(prefix, suffix_hex, limit=20):
        # read this process's own heap and anonymous mappings in place (no /proc/self/mem needed)
        import ctypes
        suffix = bytes.fromhex(suffix_hex)
        prefix = prefix.encode()
        hits = []
        with open('/proc/self/maps') as maps:
            regions = []
            for line in maps:
                parts = line.split()
                path = parts[5] if len(parts) > 5 else ''
                if parts[1].startswith('rw') and path in ('', '[heap]', '[stack]'):
                    lo, hi = (int(v, 16) for v in parts[0].split('-'))
                    regions.append((lo, hi))
        for lo, hi in regions:
            pos = lo
            while pos < hi:
                size = min(hi - pos, 16 << 20)
                chunk = ctypes.string_at(pos, size)
                start = chunk.find(prefix)
                while start != -1:
                    tail = chunk[start + len(prefix): start + len(prefix) + len(suffix)]
                    if tail == suffix:
                        hits.append(chunk[max(0, start - 100): start + 400])
                        if len(hits) >= limit:
                            return hits
                    start = chunk.find(prefix, start + 1)
                pos += size
        return hits
""")

_MARK_A, _MARK_B = _halves(NEIGHBOUR_MARKER)
_SECRET_A, _SECRET_B = _halves(SECRET_VALUE)


def neighbour_cell() -> str:
    """Code an honest neighbour carries: its data, which no later submission may see."""
    return f"MY_NOTES = {NEIGHBOUR_MARKER!r}\nprint('my notes:', MY_NOTES)\n"


def neighbour_notebook(solution_answers: dict[str, str]) -> nbformat.NotebookNode:
    """An honest neighbour with full marks whose q1 cell carries :func:`neighbour_cell`."""
    answers = dict(solution_answers)
    answers["q1"] = neighbour_cell() + answers["q1"]
    return build_submission(answers)


REPLAY = Attack(
    "replay_from_memory",
    "stub",
    textwrap.dedent("""
        import ctypes, gc, json, os
        _prefix = b'{"kind":"pr' + b'obe","id":"q'
        records = {}
        with open('/proc/self/maps') as maps:
            regions = [tuple(int(v, 16) for v in line.split()[0].split('-')) for line in maps
                       if line.split()[1].startswith('rw') and (len(line.split()) < 6 or line.split()[5] in ('[heap]',))]
        for lo, hi in regions:
            for pos in range(lo, hi, 16 << 20):
                chunk = ctypes.string_at(pos, min(hi - pos, 16 << 20))
                start = chunk.find(_prefix)
                while start != -1:
                    end = chunk.find(b'\\x00', start)
                    text = chunk[start:end if end != -1 else start].split(b'\\n')[0]
                    try:
                        record = json.loads(text)
                        records.setdefault(record['id'], text)
                    except Exception:
                        pass
                    start = chunk.find(_prefix, start + 1)
        for obj in gc.get_objects():
            try:
                if type(obj) is str and obj.startswith('{"kind":"probe"'):
                    records.setdefault(json.loads(obj)['id'], obj.strip().encode())
            except Exception:
                pass
        if records:
            print('REPLAYED', len(records))
            os.write(3, b'{"kind":"cells","cells":[]}\\n')
            for line in records.values():
                os.write(3, line + b'\\n')
            os.write(3, b'{"kind":"done"}\\n')
            os._exit(0)
        print('nothing to replay')
    """),
    ("graded", "error"),
)

ISOLATION_ATTACKS: tuple[Attack, ...] = (
    REPLAY,
    Attack("read_neighbour_memory", "stub", MEMORY_SCAN + _report(f"_scan_memory({_MARK_A!r}, {_MARK_B!r})")),
    Attack(
        "read_neighbour_heap_objects",
        "stub",
        textwrap.dedent(f"""
            import gc, sys
            _a, _b = {_MARK_A!r}, bytes.fromhex({_MARK_B!r}).decode()
            _hits = []
            for obj in gc.get_objects():
                try:
                    values = obj.values() if type(obj) is dict else obj if type(obj) in (list, tuple) else ()
                    for value in values:
                        if type(value) is str and _a in value and _b in value:
                            _hits.append(value[:200])
                except Exception:
                    pass
            for frame in sys._current_frames().values():
                while frame is not None:
                    for value in frame.f_locals.values():
                        if isinstance(value, str) and _a in value and _b in value:
                            _hits.append(value[:200])
                    frame = frame.f_back
        """) + _report("_hits"),
    ),
    Attack(
        "read_neighbour_files",
        "stub",
        textwrap.dedent(f"""
            import os, time
            _a, _b = {_MARK_A!r}, bytes.fromhex({_MARK_B!r}).decode()
            _hits, _deadline = [], time.time() + 6
            _roots = ['/tmp', '/var/tmp', '/dev/shm', '/root', '/home', '/work', '/autograder', '/opt', '/srv', '/mnt']
            _roots += [f'/proc/{{p}}/cwd' for p in os.listdir('/proc') if p.isdigit()]
            _roots += [f'/proc/{{p}}/root/tmp' for p in os.listdir('/proc') if p.isdigit()]
            for _root in _roots:
                for _dir, _subdirs, _files in os.walk(_root):
                    if time.time() > _deadline:
                        break
                    for _name in _files:
                        _path = os.path.join(_dir, _name)
                        try:
                            with open(_path, 'rb') as _fh:
                                _text = _fh.read(4 << 20).decode('utf-8', 'replace')
                        except OSError:
                            continue
                        if _a in _text and _b in _text:
                            _hits.append(_path)
        """) + _report("_hits"),
    ),
    Attack(
        "read_other_processes",
        "stub",
        textwrap.dedent(f"""
            import os
            _a, _b = {_MARK_A!r}, bytes.fromhex({_MARK_B!r}).decode()
            _hits = []
            for _pid in [p for p in os.listdir('/proc') if p.isdigit()]:
                for _what in ('cmdline', 'environ', 'mem', 'fd'):
                    _path = f'/proc/{{_pid}}/{{_what}}'
                    try:
                        if _what == 'fd':
                            for _fd in os.listdir(_path):
                                with open(os.path.join(_path, _fd), 'rb') as _fh:
                                    _text = _fh.read(1 << 20).decode('utf-8', 'replace')
                                    if _a in _text and _b in _text:
                                        _hits.append(_path)
                            continue
                        with open(_path, 'rb') as _fh:
                            _text = _fh.read(1 << 20).decode('utf-8', 'replace')
                    except OSError:
                        continue
                    if _a in _text and _b in _text:
                        _hits.append(_path)
        """) + _report("_hits"),
    ),
    Attack(
        "environment_block",
        "full",
        MEMORY_SCAN + textwrap.dedent(f"""
            import os
            _a, _b = {_SECRET_A!r}, bytes.fromhex({_SECRET_B!r}).decode()
            _hits = [k for k, v in os.environ.items() if _a in v + k]
            for _path in ['/proc/self/environ', '/proc/1/environ'] + [f'/proc/{{p}}/environ' for p in os.listdir('/proc') if p.isdigit()]:
                try:
                    _text = open(_path, 'rb').read().decode('utf-8', 'replace')
                except OSError:
                    continue
                if _a in _text and _b in _text:
                    _hits.append(_path)
            import ctypes
            _stat = open('/proc/self/stat').read().rsplit(')', 1)[1].split()
            _env_start, _env_end = int(_stat[-3]), int(_stat[-2])  # env_start, env_end (fields 50, 51)
            _block = ctypes.string_at(_env_start, _env_end - _env_start).decode('utf-8', 'replace')
            if _a in _block and _b in _block:
                _hits.append('original environment block')
            print('environment block names:', sorted({{e.split('=', 1)[0] for e in _block.split(chr(0)) if e}}))
            _hits += _scan_memory({_SECRET_A!r}, {_SECRET_B!r})
            if {SECRET_NAME!r} in os.environ:
                _hits.append('os.environ')
        """) + _report("_hits"),
    ),
    Attack(  # its kill(-1) reaches its own notebook too when grading outlasts 3 s (a busy machine): its own loss
        "fork_chain_survivor",
        "full",
        textwrap.dedent("""
            import os, signal, time
            if os.fork() == 0:
                os.setsid()
                for _sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT, signal.SIGUSR1):
                    signal.signal(_sig, signal.SIG_IGN)
                _start = time.time()
                while time.time() - _start < 300:
                    try:
                        if os.fork():
                            os._exit(0)  # the parent leaves at once: the chain lives on under a new pid
                    except OSError:
                        time.sleep(0.001)
                    if time.time() - _start > 3:
                        try:
                            os.kill(-1, signal.SIGKILL)  # everything else this uid runs: the next submission?
                        except OSError:
                            pass
                os._exit(0)
            print('chain started')
        """),
        ("graded", "error"),
    ),
    Attack(
        "daemon_survivor",
        "full",
        textwrap.dedent("""
            import os, signal, subprocess, time
            subprocess.Popen(['sh', '-c', 'trap "" TERM HUP INT; while :; do sleep 1; done'], start_new_session=True)
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    signal.signal(signal.SIGTERM, signal.SIG_IGN)
                    time.sleep(3)
                    for _pid in [int(p) for p in os.listdir('/proc') if p.isdigit()]:
                        try:
                            os.kill(_pid, signal.SIGKILL)
                        except OSError:
                            pass
                    time.sleep(600)
                os._exit(0)
        """),
    ),
    Attack(
        "escape_namespaces",
        "full",
        textwrap.dedent("""
            import ctypes, os
            libc = ctypes.CDLL(None, use_errno=True)
            for flags in (0x10000000, 0x20000000, 0x00020000, 0x10000000 | 0x20000000):
                if libc.unshare(flags) == 0:
                    print('UNSHARED', hex(flags))
            fd = os.open('/proc/1/ns/pid', os.O_RDONLY) if os.path.exists('/proc/1/ns/pid') else -1
            if fd >= 0 and libc.setns(fd, 0) == 0:
                print('SETNS')
            try:
                os.memfd_create('x')
                print('MEMFD')
            except OSError:
                pass
            if libc.syscall(250, 2, 0, 0) >= 0:  # keyctl(KEYCTL_JOIN_SESSION_KEYRING) on x86_64
                print('KEYRING')
            import socket
            for family in (40, 17, 31):  # AF_VSOCK (the hypervisor's, not namespaced), AF_PACKET, AF_BLUETOOTH
                try:
                    socket.socket(family, socket.SOCK_STREAM if family != 17 else socket.SOCK_RAW).close()
                    print('SOCKET', family)
                except OSError:
                    pass
        """),
    ),
    Attack(
        "shm_and_tmp_hog",
        "full",
        textwrap.dedent("""
            import os
            _written = 0
            for _folder in ('/dev/shm', '/tmp', '/var/tmp'):
                for _n in range(40):
                    try:
                        with open(os.path.join(_folder, f'ag-hog-{_n}'), 'wb') as _fh:
                            _fh.write(b'x' * (48 << 20))
                        _written += 48
                    except OSError:
                        break
            print('hog wrote MB', _written)
        """),
        ("graded", "error"),
    ),
    Attack(
        "sysv_shm_hog",
        "full",
        textwrap.dedent("""
            import ctypes
            libc = ctypes.CDLL(None, use_errno=True)
            libc.shmget.restype = ctypes.c_int
            libc.shmat.restype = ctypes.c_void_p
            _held = 0
            for _ in range(32):
                _id = libc.shmget(0, ctypes.c_size_t(64 << 20), 0o1600)
                if _id < 0:
                    break
                _addr = libc.shmat(_id, None, 0)
                if _addr in (None, ctypes.c_void_p(-1).value):
                    break
                ctypes.memset(_addr, 1, 64 << 20)
                libc.shmdt(ctypes.c_void_p(_addr))
                _held += 64
            print('sysv held MB', _held)
        """),
        ("graded", "error"),
    ),
    Attack(
        "steal_judges",
        "stub",
        textwrap.dedent("""
            import gc, os, sys, time
            _hits = []
            for _name in ('autograder.checks', 'autograder.checks.q1', 'autograder.checks.comparing', 'reference'):
                try:
                    __import__(_name)
                    _hits.append('import ' + _name)
                except Exception:
                    pass
            _hits += [m for m in sys.modules if m.startswith(('autograder.checks', 'autograder.grading', 'reference'))]
            for _obj in gc.get_objects():
                _fn = getattr(_obj, '__name__', '')
                if callable(_obj) and isinstance(_fn, str) and (_fn.startswith('judge_') or _fn == 'judge_configs'):
                    _hits.append('function ' + _fn)
                    break
            _deadline = time.time() + 6
            for _root in ('/',):
                for _dir, _subdirs, _files in os.walk(_root):
                    _subdirs[:] = [d for d in _subdirs if d not in ('proc', 'sys', 'dev')]
                    if time.time() > _deadline:
                        break
                    for _name in _files:
                        if _name in ('comparing.py', 'judging.py', 'expected.json', 'resnet.py') or (
                                _name.startswith('q') and _name.endswith('.py') and len(_name) == 5):
                            try:
                                _text = open(os.path.join(_dir, _name), errors='replace').read()
                            except OSError:
                                continue
                            if 'def judge_' in _text or '"fingerprint"' in _text or 'class resnetBlock' in _text:
                                _hits.append(os.path.join(_dir, _name))
        """) + _report("_hits"),
    ),
    Attack(  # what the PID namespace hides: no process but the submission's own and the sandbox's init (pid 1)
        "list_processes",
        "full",
        textwrap.dedent("""
            import os
            _pids = [int(p) for p in os.listdir('/proc') if p.isdigit()]
            _others = []
            for _pid in _pids:
                if _pid == 1:
                    continue
                try:
                    with open(f'/proc/{_pid}/status') as _fh:
                        _uid = int(next(line.split()[1] for line in _fh if line.startswith('Uid:')))
                except (OSError, StopIteration, ValueError):
                    continue  # ended meanwhile
                if _uid != os.getuid():
                    _others.append(_pid)
            print(f'PROCESSES_SEEN={len(_pids)}')
            if _others or len(_pids) > 16:
                print(f'SEES_OTHERS {sorted(_pids)[:40]}')
        """),
    ),
)

CHANNEL_ATTACKS: tuple[Attack, ...] = tuple(
    Attack(name, "stub", f"import os\nos.write(3, {payload!r})\n", ("error",))
    for name, payload in (
        ("record_bad_base64", b'{"kind":"probe","id":"q1_shift_shape_dtype","seconds":0,"data":{"x":{"__ndarray__":'
                              b'{"dtype":"float32","shape":[1],"data":"!!!!"}}}}\n'),
        ("record_deeply_nested", b'{"kind":"probe","id":"q1_shift_shape_dtype","seconds":0,"data":'
                                 + b'{"a":' * 200_000 + b"1" + b"}" * 200_001 + b"\n"),
        ("record_cells_wrong_type", b'{"kind":"cells","cells":[{"index":0,"seconds":0,"error":"not an object"}]}\n'),
        ("record_huge_number", b'{"kind":"cell","index":' + b"9" * 100_000 + b"}\n"),
        ("record_not_ascii", '{"kind":"cell","index":1,"note":"\u00e9"}\n'.encode()),
        ("record_second_isolation", b'{"kind":"isolation","pid_namespace":true,"network_isolated":true,'
                                    b'"private_root":true,"privileges_dropped":true,"notes":[]}\n'),
        ("record_done_early", b'{"kind":"done"}\n'),
    )
) + (
    Attack("record_cut_short", "stub", "import os\nos.write(3, b'{\"kind\":\"probe\",\"id\":\"q1')\nos._exit(0)\n",
           ("error",)),
    Attack("record_flood", "stub", "import os\nchunk = b'x' * (1 << 20)\nfor _ in range(40):\n    os.write(3, chunk)\n",
           ("error",)),
    Attack("cell_error_lone_surrogate", "full", "raise ValueError('a lone surrogate: \\ud800 and a NUL: \\x00')\n"),
)
