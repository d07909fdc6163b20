#!/usr/bin/env python3
"""A real SMTP server for tests: it accepts every message and saves it in a directory.

    python3 tests/support/smtp_sink.py --port 2525 --dir /tmp/mail
    python3 tests/support/smtp_sink.py --port 0 --dir /tmp/mail        # any free port
    python3 tests/support/smtp_sink.py --port 0 --dir D --rcpt-reply "550 5.1.1 No such user"

Prints "ready <port>" on stdout (one line, flushed) once it listens on 127.0.0.1, so a test
can start it with --port 0 and read the port without racing for one. Every accepted message
is written as <n>.eml (the bytes received) and <n>.json (envelope: mail_from, rcpt_tos), each
through a temporary file and a rename so a reader never sees half a file. With --rcpt-reply,
every RCPT TO is answered with that reply instead (to test 4xx and 5xx handling).
Runs until killed or until its stdin is closed.

Needs aiosmtpd: `apt-get install -y python3-aiosmtpd` or `python3 -m pip install aiosmtpd`.
"""

import argparse
import asyncio
import itertools
import json
import os
import sys

try:
    from aiosmtpd.smtp import SMTP
except ImportError:
    print("smtp_sink.py: the Python package `aiosmtpd` is missing: "
          "apt-get install -y python3-aiosmtpd (or python3 -m pip install aiosmtpd)",
          file=sys.stderr)
    sys.exit(2)


class SavingHandler:
    def __init__(self, directory, rcpt_reply):
        self.directory = directory
        self.rcpt_reply = rcpt_reply
        self.numbers = itertools.count(1)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        number = next(self.numbers)
        content = envelope.original_content or b""
        meta = {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos}
        self._write(f"{number}.json", json.dumps(meta).encode("utf-8"))
        self._write(f"{number}.eml", content)
        return "250 Message accepted for delivery"

    def _write(self, name, data):
        final = os.path.join(self.directory, name)
        temporary = os.path.join(self.directory, f".{name}.tmp")
        with open(temporary, "wb") as file:
            file.write(data)
        os.replace(temporary, final)


async def serve(port, directory, rcpt_reply):
    handler = SavingHandler(directory, rcpt_reply)
    loop = asyncio.get_running_loop()
    # decode_data=False keeps the exact bytes; SMTPUTF8 lets clients send UTF-8 headers.
    server = await loop.create_server(
        lambda: SMTP(handler, decode_data=False, enable_SMTPUTF8=True,
                     hostname="smtp-sink.test"),
        host="127.0.0.1", port=port)
    bound = server.sockets[0].getsockname()[1]
    print(f"ready {bound}", flush=True)

    stdin_closed = loop.create_future()

    def watch_stdin():
        # Returns when the parent closes our stdin (or dies); a read error means the same.
        try:
            sys.stdin.buffer.read()
        except Exception:
            pass
        loop.call_soon_threadsafe(lambda: stdin_closed.done() or stdin_closed.set_result(None))

    loop.run_in_executor(None, watch_stdin)
    async with server:
        await stdin_closed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True, help="0 picks a free port")
    parser.add_argument("--dir", required=True, help="where received messages are saved")
    parser.add_argument("--rcpt-reply", default=None,
                        help='answer every RCPT TO with this, e.g. "550 5.1.1 No such user"')
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    try:
        asyncio.run(serve(args.port, args.dir, args.rcpt_reply))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
