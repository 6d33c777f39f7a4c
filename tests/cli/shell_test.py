#!/usr/bin/env python3
"""End-to-end tests of the interactive shell of `basalt`, driven through a pseudo-terminal:
Ctrl-C while typing and while a statement runs, Ctrl-D, backslash commands (\\x, \\o, \\i,
\\d, \\dt, \\pset pager), tab completion, the pager and the progress line.

Usage: shell_test.py path/to/basalt

Every wait has a timeout and the whole run an alarm, so a shell that hangs fails the test
instead of hanging it. Tests of \\d, \\dt and of table-name completion need
information_schema; without it they print SKIP (and check that the commands fail cleanly).
"""
import fcntl
import os
import pty
import re
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import time

BASALT = os.path.abspath(sys.argv[1])
WORK = tempfile.mkdtemp(prefix="basalt-shell-")
DATA = os.path.join(WORK, "d")
failures = 0
checks = 0
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]|\x07")


def fail(name, detail):
    global failures
    failures += 1
    print("FAILED: %s\n  %s" % (name, detail.replace("\n", "\n  ")), file=sys.stderr)


def check(name, ok, detail=""):
    global checks
    checks += 1
    if not ok:
        fail(name, detail)


class Shell:
    """The shell on a pty of the given size; output accumulates in self.out (raw)."""

    def __init__(self, rows=24, cols=80, env=None, stderr_path=None):
        environ = dict(os.environ, HOME=WORK, TERM="xterm", LC_ALL="C.UTF-8")
        environ.pop("COLUMNS", None)
        environ.pop("LINES", None)
        environ["PAGER"] = ""  # no pager unless a test asks for one
        environ.update(env or {})
        pid, fd = pty.fork()
        if pid == 0:
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
                if stderr_path:
                    err = os.open(stderr_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
                    os.dup2(err, 2)
                os.chdir(WORK)
                os.execve(BASALT, [BASALT, "--data", DATA, "--threads", "2"], environ)
            finally:
                os._exit(127)
        self.pid, self.fd, self.out = pid, fd, ""
        self.status = None
        self.expect("basalt> ", "the first prompt")

    def read(self, seconds):
        end = time.time() + seconds
        while time.time() < end:
            r, _, _ = select.select([self.fd], [], [], min(0.05, max(0, end - time.time())))
            if r:
                try:
                    data = os.read(self.fd, 65536)
                except OSError:
                    return False
                if not data:
                    return False
                self.out += data.decode("utf-8", "replace")
        return True

    def expect(self, needle, name, timeout=10, since=0):
        """Waits until needle (a string) appears in the output after offset `since`."""
        end = time.time() + timeout
        while needle not in self.out[since:]:
            if time.time() > end or not self.read(0.05) and needle not in self.out[since:]:
                fail(name, "timed out waiting for %r; output so far:\n%r" % (needle, self.out[since:][-2000:]))
                return False
        return True

    def send(self, text):
        os.write(self.fd, text.encode())

    def run(self, text, name, timeout=10, prompt="basalt> "):
        """Sends text (ending with a newline) and waits for the next prompt; returns what
        was printed in between, escape sequences removed and \\r\\n as \\n."""
        mark = len(self.out)
        self.send(text)
        self.expect(prompt, name, timeout, since=mark + 1)
        got = self.out[mark:]
        # libedit redraws a completed word by going back to its column (\r, then a cursor
        # motion removed with the other escapes) and writing the rest.
        got = ANSI.sub("", got).replace("\r\n", "\n").replace("\r", "")
        if got.endswith(prompt):
            got = got[: -len(prompt)]
        return got

    def quit(self):
        """Ctrl-D, then the exit status (killing the shell if it does not leave)."""
        if self.status is None:
            try:
                self.send("\x04")
            except OSError:
                pass
            end = time.time() + 10
            while time.time() < end:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
                if pid:
                    self.status = status
                    break
                self.read(0.1)
            else:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
                self.status = -1
            os.close(self.fd)
        return self.status


def check_exit(sh):
    """Ctrl-D ends the shell with status 0 (under ASan: without a leak report)."""
    status = sh.quit()
    check("exit status", os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0,
          "%s; output: %r" % (status, sh.out[-2000:]))


def cli(*args):
    return subprocess.run([BASALT, "--data", DATA] + list(args), capture_output=True, text=True,
                          timeout=60, cwd=WORK)


def table_of(text):
    """The lines of a printed result, from its header on."""
    return "\n".join(line for line in text.split("\n"))


def main():
    signal.alarm(400)
    cli("-c", "create table tabular_things (id integer not null, label varchar)",
        "-c", "insert into tabular_things values (1, 'one'), (2, 'it''s')",
        "-c", "create view vista as select id from tabular_things")
    has_schema = cli("-c", "select 1 from information_schema.tables limit 1").returncode == 0

    # --- Ctrl-C while typing drops the line (and a pending statement); the shell goes on
    sh = Shell()
    sh.send("select 4")
    sh.expect("select 4", "echo of the typed text")
    sh.send("2")
    sh.expect("select 42", "echo of the typed text")
    time.sleep(0.2)
    got = sh.run("\x03", "Ctrl-C at the prompt")
    check("Ctrl-C clears the line", got.endswith("^C\n"), repr(got))
    got = sh.run("select 7 as x;\n", "statement after Ctrl-C")
    check("statement after Ctrl-C", got == "select 7 as x;\n x\n---\n 7\n(1 row)\n\n", repr(got))
    sh.run("select 1 as a,\n", "first line of a statement", prompt="   ...> ")
    time.sleep(0.2)
    sh.run("\x03", "Ctrl-C on the second line")
    got = sh.run("select 5 as b;\n", "statement after a dropped one")
    check("Ctrl-C drops the pending statement", got == "select 5 as b;\n b\n---\n 5\n(1 row)\n\n",
          repr(got))

    # --- Ctrl-C while a statement runs cancels it; progress shows after a second, erased
    mark = len(sh.out)
    sh.send("select count(*) from range(1000000000000);\n")
    sh.expect("rows received", "progress line of a long statement", timeout=10, since=mark)
    sh.send("\x03")
    sh.expect("canceling statement due to user request", "cancel", timeout=20, since=mark)
    sh.expect("basalt> ", "prompt after cancel", since=mark + 10)
    raw = sh.out[mark:]
    check("progress erased before the error", "\r\x1b[KERROR:  canceling statement" in raw, repr(raw))
    got = sh.run("select 8 as y;\n", "statement after a cancel")
    check("statement after a cancel", " y\n---\n 8\n(1 row)" in got, repr(got))

    # --- Ctrl-Z and fg: the terminal back in editing mode, the typed text kept
    sh.send("select 3")
    sh.expect("select 3", "echo before Ctrl-Z", since=len(sh.out) - 8)
    time.sleep(0.3)
    os.kill(sh.pid, signal.SIGTSTP)
    time.sleep(0.3)
    attrs = termios.tcgetattr(sh.fd)  # the resuming shell's cooked mode
    attrs[3] |= termios.ICANON | termios.ECHO
    termios.tcsetattr(sh.fd, termios.TCSANOW, attrs)
    os.kill(sh.pid, signal.SIGCONT)
    time.sleep(0.5)
    check("editing mode after SIGCONT", not termios.tcgetattr(sh.fd)[3] & termios.ICANON)
    got = sh.run(" as q;\n", "statement finished after SIGCONT")
    check("line kept over Ctrl-Z", got.endswith("select 3 as q;\n q\n---\n 3\n(1 row)\n\n"), repr(got))

    # --- UTF-8 typed in a UTF-8 terminal reaches the statement
    got = sh.run("select 'é' as c;\n", "UTF-8 input")
    check("UTF-8 input", " c\n---\n é\n(1 row)" in got, repr(got))

    # --- errors print cleanly and the shell goes on
    got = sh.run("select * from nope;\n", "error")
    check("error message", 'ERROR:  relation "nope" does not exist\nLINE 1: select * from nope\n'
          '                      ^\n' in got, repr(got))
    got = sh.run("\\nosuch\n", "invalid command")
    check("invalid command", "invalid command \\nosuch; try \\? for help" in got, repr(got))
    got = sh.run("\\?\n", "help")
    for cmd in ["\\q", "\\x [on|off|auto]", "\\o [FILE]", "\\i FILE", "\\dt", "\\dv", "\\d NAME",
                "\\timing", "\\pset pager"]:
        check("help lists " + cmd, cmd in got, repr(got))

    # --- \x: psql's expanded layout
    got = sh.run("\\x\n", "\\x")
    check("\\x on message", got == "\\x\nExpanded display is on.\n", repr(got))
    got = sh.run("select * from (values (1, 'hello'), (22, null)) as v(a, bb) order by a;\n", "\\x rows")
    check("expanded layout", got.split(";\n", 1)[1] ==
          "-[ RECORD 1 ]\na  | 1\nbb | hello\n-[ RECORD 2 ]\na  | 22\nbb | NULL\n\n", repr(got))
    got = sh.run("select 'x' as a_long_column_name, 123456789 as n;\n", "\\x wide names")
    check("expanded layout with a rule", got.split(";\n", 1)[1] ==
          "-[ RECORD 1 ]------+----------\na_long_column_name | x\nn                  | 123456789\n\n",
          repr(got))
    got = sh.run("select 1 as a where false;\n", "\\x no rows")
    check("expanded layout, no rows", got.split(";\n", 1)[1] == "(0 rows)\n\n", repr(got))
    got = sh.run("\\x off\n", "\\x off")
    check("\\x off message", "Expanded display is off." in got, repr(got))
    got = sh.run("select 1 as a;\n", "table after \\x off")
    check("table after \\x off", got.split(";\n", 1)[1] == " a\n---\n 1\n(1 row)\n\n", repr(got))
    got = sh.run("\\x maybe\n", "\\x bad value")
    check("\\x bad value", 'unrecognized value "maybe" for \\x' in got, repr(got))

    # --- \o FILE and back
    sh.run("\\o out.txt\n", "\\o file")
    got = sh.run("select 3 as z;\n", "statement into the file")
    check("\\o: nothing on the terminal", got == "select 3 as z;\n", repr(got))
    sh.run("\\o\n", "\\o back")
    got = sh.run("select 4 as w;\n", "statement after \\o")
    check("\\o back to stdout", " w\n---\n 4\n(1 row)" in got, repr(got))
    with open(os.path.join(WORK, "out.txt")) as f:
        content = f.read()
    check("\\o file content", content == " z\n---\n 3\n(1 row)\n\n", repr(content))
    got = sh.run("\\o /nonexistent/dir/x.txt\n", "\\o bad path")
    check("\\o bad path", "/nonexistent/dir/x.txt: No such file or directory" in got, repr(got))

    # --- \i FILE: statements and commands as if typed
    with open(os.path.join(WORK, "inc.sql"), "w") as f:
        f.write("select 10 as ten;\n\\x on\nselect 11 as eleven,\n  12 as twelve;\n\\x off\nselect 13 as last\n")
    got = sh.run("\\i inc.sql\n", "\\i")
    check("\\i runs statements and commands", got ==
          "\\i inc.sql\n ten\n-----\n  10\n(1 row)\n\nExpanded display is on.\n"
          "-[ RECORD 1 ]\neleven | 11\ntwelve | 12\n\nExpanded display is off.\n"
          " last\n------\n   13\n(1 row)\n\n", repr(got))
    got = sh.run("\\i missing.sql\n", "\\i missing")
    check("\\i missing file", "missing.sql: No such file or directory" in got, repr(got))

    # --- tab completion: keywords in the case typed
    got = sh.run("sel\t1 as v;\n", "completion of a keyword")
    check("keyword completed", " v\n---\n 1\n(1 row)" in got, repr(got))
    got = sh.run("SEL\t2 as v;\n", "completion of an upper-case keyword")
    check("upper-case keyword completed", "SELECT 2 as v;" in got and " 2\n(1 row)" in got, repr(got))

    # --- \d, \dt, \dv and completion of names (information_schema)
    if has_schema:
        got = sh.run("\\dt\n", "\\dt")
        check("\\dt lists tables", "tabular_things | BASE TABLE" in got and "vista" not in got, repr(got))
        got = sh.run("\\dv\n", "\\dv")
        check("\\dv lists views", "vista" in got and "tabular_things" not in got, repr(got))
        got = sh.run("\\d\n", "\\d")
        check("\\d lists relations", "tabular_things | BASE TABLE" in got and "vista" in got, repr(got))
        got = sh.run("\\d tabular_things\n", "\\d NAME")
        lines = [l for l in got.split("\n") if "|" in l]
        check("\\d NAME columns", len(lines) == 3 and lines[0].split("|")[0].strip() == "column_name"
              and lines[1].split("|")[0].strip() == "id" and lines[1].split("|")[2].strip() == "NO"
              and lines[2].split("|")[0].strip() == "label" and lines[2].split("|")[2].strip() == "YES",
              repr(got))
        got = sh.run("\\d \"it's\"\n", "\\d quoted name")
        check("\\d unknown name (quote doubled)", 'Did not find any relation named "it\'s".' in got, repr(got))
        got = sh.run("select * from tabu\t;\n", "completion of a table name")
        check("table name completed", "select * from tabular_things ;" in got and "(2 rows)" in got, repr(got))
        got = sh.run("select lab\t from tabular_things order by 1;\n", "completion of a column name")
        check("column name completed", " label\n-------\n it's\n one\n(2 rows)" in got, repr(got))
        sh.run("create table tabulated (q integer);\n", "DDL")
        got = sh.run("select * from tabulat\t;\n", "completion after DDL")
        check("cache refreshed after DDL", "select * from tabulated ;" in got, repr(got))
    else:
        print("SKIP: \\d, \\dt, \\dv and name completion (no information_schema)")
        got = sh.run("\\dt\n", "\\dt without information_schema")
        check("\\dt fails cleanly", got.startswith("\\dt\nERROR:  "), repr(got))
        got = sh.run("\\d tabular_things\n", "\\d NAME without information_schema")
        check("\\d NAME fails cleanly", got.startswith("\\d tabular_things\nERROR:  "), repr(got))
        got = sh.run("select * from tabu\t;\n", "completion without names")
        check("no name completion, no hang", "select * from tabu;" in got, repr(got))

    # --- Ctrl-D quits with status 0
    status = sh.quit()
    check("Ctrl-D exit status", os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, str(status))

    # --- \q
    sh = Shell()
    sh.send("\\q\n")
    status = sh.quit()
    check("\\q exit status", os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, str(status))

    # --- the pager: results taller or wider than the terminal, only then
    sh = Shell(rows=10, cols=60, env={"PAGER": "sed s/^/P:/"})
    got = sh.run("select * from range(3);\n", "short result")
    check("short result not paged", "P:" not in got and "     2\n(3 rows)" in got, repr(got))
    got = sh.run("select * from range(20);\n", "tall result")
    check("tall result paged", "P: range\nP:-------\nP:     0\n" in got and "P:(20 rows)\nP:\n" in got,
          repr(got))
    got = sh.run("select repeat('x', 70) as wide;\n", "wide result")
    check("wide result paged", "P: xxxxxxxx" in got, repr(got))
    check_exit(sh)
    # a pager that quits early: the rest of the result is not read, the shell goes on
    sh = Shell(rows=10, cols=60, env={"PAGER": "head -n 3"})
    got = sh.run("select * from range(100000000);\n", "pager quits early", timeout=60)
    check("pager that quits early", got == "select * from range(100000000);\n range\n-------\n     0\n",
          repr(got))
    got = sh.run("select 6 as s;\n", "statement after the pager quit")
    check("statement after the pager quit", " s\n---\n 6\n(1 row)" in got, repr(got))
    got = sh.run("\\pset pager off\n", "\\pset pager off")
    check("\\pset pager off message", "Pager usage is off." in got, repr(got))
    got = sh.run("select * from range(20);\n", "tall result, pager off")
    check("pager off", "P:" not in got and "(20 rows)" in got, repr(got))
    sh.run("\\pset pager on\n", "\\pset pager on")
    # \x auto: a row wider than the terminal is expanded (and then fits: no pager)
    sh.run("\\x auto\n", "\\x auto")
    got = sh.run("select repeat('a', 30) as first_column, repeat('b', 30) as second_column;\n",
                 "\\x auto wide")
    check("\\x auto expands a wide row", got.split(";\n", 1)[1] ==
          "-[ RECORD 1 ]-+-------------------------------\nfirst_column  | " + "a" * 30 +
          "\nsecond_column | " + "b" * 30 + "\n\n", repr(got))
    got = sh.run("select 1 as a, 2 as b;\n", "\\x auto narrow")
    check("\\x auto keeps a narrow row", got.split(";\n", 1)[1] == " a | b\n---+---\n 1 | 2\n(1 row)\n\n",
          repr(got))
    check_exit(sh)

    # --- no progress line when stderr is not a terminal
    err_path = os.path.join(WORK, "stderr.txt")
    sh = Shell(stderr_path=err_path)
    mark = len(sh.out)
    sh.send("select count(*) from range(1000000000000);\n")
    time.sleep(1.6)
    sh.send("\x03")
    end = time.time() + 20
    while time.time() < end:
        with open(err_path) as f:
            err = f.read()
        if "canceling" in err:
            break
        sh.read(0.1)
    check("cancel with stderr redirected", err == "ERROR:  canceling statement due to user request\n",
          repr(err))
    got = sh.run("select 9 as n;\n", "statement after cancel (stderr redirected)")
    check("no progress on the terminal", "received" not in sh.out[mark:] and " 9\n(1 row)" in got,
          repr(sh.out[mark:]))
    check_exit(sh)

    print("%d checks, %d failures" % (checks, failures))
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    try:
        status = main()
    finally:
        shutil.rmtree(WORK, ignore_errors=True)
    sys.exit(status)
