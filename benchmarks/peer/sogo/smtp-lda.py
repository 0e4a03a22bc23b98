#!/usr/bin/python3
"""A minimal loopback SMTP receiver for the SOGo peer: every accepted message is handed to dovecot's LDA for the
local part of each recipient, so mail that SOGo sends (EAS SendMail, the load generator's `wake` change) lands in
the recipient's INBOX. Written for this benchmark only: no relaying, no AUTH, no TLS, 127.0.0.1 only.

    smtp-lda.py --port 2525 --dovecot-conf STATE/dovecot/dovecot.conf --pidfile FILE --log FILE
"""
import argparse
import asyncio
import os
import sys
import time

LDA = "/usr/lib/dovecot/dovecot-lda"
MAX_MESSAGE = 64 * 1024 * 1024


def local_part(address):
    address = address.strip().strip("<>").strip()
    return address.split("@", 1)[0]


def parse_path(arg):
    # "FROM:<a@b> SIZE=1" / "TO:<a@b>"
    _, _, rest = arg.partition(":")
    rest = rest.strip()
    if rest.startswith("<"):
        return rest[1:rest.find(">")] if ">" in rest else rest[1:]
    return rest.split(" ", 1)[0]


class Session:
    def __init__(self, server, reader, writer):
        self.server, self.reader, self.writer = server, reader, writer
        self.reset()

    def reset(self):
        self.sender, self.recipients = "", []

    async def reply(self, line):
        self.writer.write((line + "\r\n").encode())
        await self.writer.drain()

    async def run(self):
        await self.reply("220 sogo-peer smtp-lda ready")
        while True:
            raw = await self.reader.readline()
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb, _, arg = line.partition(" ")
            verb = verb.upper()
            if verb == "EHLO":
                await self.reply("250-sogo-peer")
                await self.reply("250-8BITMIME")
                await self.reply("250 SIZE %d" % MAX_MESSAGE)
            elif verb == "HELO":
                await self.reply("250 sogo-peer")
            elif verb == "MAIL":
                self.reset()
                self.sender = parse_path(arg)
                await self.reply("250 OK")
            elif verb == "RCPT":
                self.recipients.append(parse_path(arg))
                await self.reply("250 OK")
            elif verb == "DATA":
                if not self.recipients:
                    await self.reply("503 no recipients")
                    continue
                await self.reply("354 end with <CRLF>.<CRLF>")
                data = await self.read_data()
                if data is None:
                    return
                await self.reply(await self.server.deliver(self.sender, self.recipients, data))
                self.reset()
            elif verb == "RSET":
                self.reset()
                await self.reply("250 OK")
            elif verb == "NOOP":
                await self.reply("250 OK")
            elif verb == "QUIT":
                await self.reply("221 bye")
                return
            else:
                await self.reply("502 not implemented")

    async def read_data(self):
        lines, size = [], 0
        while True:
            raw = await self.reader.readline()
            if not raw:
                return None
            if raw in (b".\r\n", b".\n"):
                return b"".join(lines)
            if raw.startswith(b".."):
                raw = raw[1:]
            size += len(raw)
            if size <= MAX_MESSAGE:
                lines.append(raw)


class Server:
    def __init__(self, dovecot_conf, log):
        self.dovecot_conf, self.log = dovecot_conf, log

    def note(self, text):
        self.log.write("%s %s\n" % (time.strftime("%Y-%m-%dT%H:%M:%S"), text))
        self.log.flush()

    async def deliver(self, sender, recipients, data):
        failed = []
        for rcpt in recipients:
            user = local_part(rcpt)
            proc = await asyncio.create_subprocess_exec(
                LDA, "-c", self.dovecot_conf, "-d", user, "-f", sender or "MAILER-DAEMON",
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
            _, err = await proc.communicate(data)
            if proc.returncode != 0:
                failed.append(user)
                self.note("LDA for %s exited %d: %s" % (user, proc.returncode, err.decode(errors="replace").strip()))
            else:
                self.note("delivered %d bytes from %s to %s" % (len(data), sender, user))
        return "451 delivery failed for " + ",".join(failed) if failed else "250 delivered"

    async def handle(self, reader, writer):
        try:
            await Session(self, reader, writer).run()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()


async def main(args):
    log = open(args.log, "a") if args.log else sys.stderr
    server = Server(args.dovecot_conf, log)
    srv = await asyncio.start_server(server.handle, "127.0.0.1", args.port, backlog=1024)
    if args.pidfile:
        with open(args.pidfile, "w") as f:
            f.write("%d\n" % os.getpid())
    server.note("listening on 127.0.0.1:%d" % args.port)
    async with srv:
        await srv.serve_forever()


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, default=2525)
    p.add_argument("--dovecot-conf", required=True)
    p.add_argument("--pidfile")
    p.add_argument("--log")
    try:
        asyncio.run(main(p.parse_args()))
    except KeyboardInterrupt:
        pass
