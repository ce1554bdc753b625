#!/usr/bin/env python3
"""Save -> reload latency of `studysite serve --watch`.

Starts the binary on a site, connects one server-sent-events client to
/__studysite/events, then saves one unit N times (a plain write of new text,
one edit at a time) and measures the time from the write to the `reload` event
reaching the client. Prints every sample and the median.

Usage:
    python3 benches/serve_reload.py BIN SITE UNIT [--edits 20] [--poll]

    BIN   the studysite binary (e.g. target/release/studysite)
    SITE  the site folder (e.g. /tmp/corpus1k from benches/gen_corpus.py)
    UNIT  the unit to edit, relative to SITE (e.g. content/part-01/unit-00001.md)

The unit is restored at the end. Standard library only; loopback only.
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time


def read_event(sock, buf):
    """Returns (event name, data, rest of buffer) of the next complete event."""
    while True:
        # Events end with a blank line; the body is chunked, so chunk-size lines
        # appear between them and are skipped (they are not `field: value`).
        if b"\n\n" in buf.replace(b"\r\n", b"\n"):
            text = buf.replace(b"\r\n", b"\n")
            block, rest = text.split(b"\n\n", 1)
            name, data = None, []
            for line in block.decode("utf-8", "replace").split("\n"):
                if line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: "):
                    data.append(line[6:])
            if name is not None:
                return name, "\n".join(data), rest
            buf = rest
            continue
        chunk = sock.recv(65536)
        if not chunk:
            raise RuntimeError("event stream closed")
        buf += chunk


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin")
    ap.add_argument("site")
    ap.add_argument("unit")
    ap.add_argument("--edits", type=int, default=20)
    ap.add_argument("--poll", action="store_true")
    args = ap.parse_args()

    cmd = [args.bin, "serve", "--root", args.site, "--port", "0", "--watch"]
    if args.poll:
        cmd.append("--poll")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    unit = os.path.join(args.site, args.unit)
    with open(unit, encoding="utf-8") as f:
        original = f.read()
    try:
        port = None
        for line in proc.stdout:
            if line.startswith("serving at http://127.0.0.1:"):
                port = int(line.strip().rsplit(":", 1)[1].rstrip("/"))
                break
        if port is None:
            sys.exit("no `serving at` line:\n" + proc.stderr.read())
        sock = socket.create_connection(("127.0.0.1", port))
        sock.settimeout(30)
        sock.sendall(b"GET /__studysite/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        buf = b""
        name, _, buf = read_event(sock, buf)
        assert name == "hello", name
        time.sleep(0.5)
        samples = []
        for i in range(args.edits):
            text = original + "\n\n第 %d 次修改。\n" % (i + 1)
            t0 = time.perf_counter()
            with open(unit, "w", encoding="utf-8") as f:
                f.write(text)
            while True:
                name, data, buf = read_event(sock, buf)
                if name == "reload":
                    break
                if name == "error":
                    sys.exit("the edit did not build:\n" + data)
            ms = (time.perf_counter() - t0) * 1000
            samples.append(ms)
            print("edit %2d: %.1f ms (generation %s)" % (i + 1, ms, data))
            time.sleep(0.3)
            # Drop whatever else arrived meanwhile (a second rebuild when a write was split
            # across two debounce windows), so the next edit waits for its own reload.
            sock.setblocking(False)
            try:
                while True:
                    chunk = sock.recv(65536)
                    if not chunk:
                        break
                    buf += chunk
            except BlockingIOError:
                pass
            sock.setblocking(True)
            sock.settimeout(30)
            extra = buf.replace(b"\r\n", b"\n").count(b"event: reload")
            if extra:
                print("  (%d extra reload event(s) dropped)" % extra)
            buf = b""
        print("median save->reload: %.1f ms (min %.1f, max %.1f, n=%d)" % (
            statistics.median(samples), min(samples), max(samples), len(samples)))
    finally:
        with open(unit, "w", encoding="utf-8") as f:
            f.write(original)
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
        err = proc.stderr.read()
        lines = [l for l in err.splitlines() if "rebuilt" in l]
        if lines:
            print("server's last rebuild line:", lines[-1])


if __name__ == "__main__":
    main()
