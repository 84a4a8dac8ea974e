"""tests/cli/ptyterm.py -- a program on a pseudo-terminal of its own, for the CLI tests: what it shows is expected, keys are sent"""
import fcntl
import os
import select
import subprocess
import sys
import termios
import time


class Term:
    def __init__(self, argv):
        self.master, self.slave = os.openpty()
        self.before = termios.tcgetattr(self.slave)
        self.seen = b""
        self.proc = subprocess.Popen(argv, stdin=self.slave, stdout=self.slave, stderr=self.slave,
                                     start_new_session=True, preexec_fn=self._own_terminal)

    @staticmethod
    def _own_terminal():
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    def fail(self, why):
        print("FAIL:", why)
        print("output so far:", repr(self.seen))
        self.proc.kill()
        sys.exit(1)

    def expect(self, text, seconds=3.0):
        """Reads until text (bytes) has appeared after what was expected before; returns what came up to it."""
        end = time.time() + seconds
        while text not in self.seen:
            left = end - time.time()
            if left <= 0:
                self.fail("no %r" % text)
            ready, _, _ = select.select([self.master], [], [], left)
            if ready:
                try:
                    self.seen += os.read(self.master, 4096)
                except OSError:
                    self.fail("the terminal closed before %r" % text)
        at = self.seen.index(text) + len(text)
        part, self.seen = self.seen[:at], self.seen[at:]
        return part

    def send(self, data):
        os.write(self.master, data)

    def modes_kept(self):
        """Whether the terminal's modes are those it had before the program ran."""
        return termios.tcgetattr(self.slave) == self.before
