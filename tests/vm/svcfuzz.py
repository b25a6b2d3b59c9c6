#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A hostile client of a VM's display service (tests/vm/scenarios/
sd-display-service.sh): malformed and oversized messages, fd floods and
connection floods on the service's socket, each on a connection of its
own, each case named on stdout.  It checks nothing itself: the scenario
compares the service's fds and RSS before and after, and that the other
clients kept getting frames.

Usage: svcfuzz.py SOCKET
"""
import os
import socket
import struct
import sys
import time

DISPLAY1 = "org.qemu.Display1"


def pad(b, n):
    return b + b"\0" * ((-len(b)) % n)


def _s(x):
    b = x.encode()
    return struct.pack("<I", len(b)) + b + b"\0"


def _g(x):
    b = x.encode()
    return bytes([len(b)]) + b + b"\0"


def message(path, iface, member, sig="", body=b"", nfds=0, serial=1, body_len=None,
            fields_len=None):
    """A D-Bus method call, little endian (the wire format, by hand)."""
    fields = b""
    for code, sigc, val in ((1, "o", _s(path)), (2, "s", _s(iface)), (3, "s", _s(member)),
                            (8, "g", _g(sig) if sig else None),
                            (9, "u", struct.pack("<I", nfds) if nfds else None)):
        if val is None:
            continue
        fields = pad(fields, 8) + bytes([code, 1]) + sigc.encode() + b"\0" + val
    hdr = b"l" + bytes([1, 0, 1]) + struct.pack(
        "<III", len(body) if body_len is None else body_len, serial,
        len(fields) if fields_len is None else fields_len) + fields
    return pad(hdr, 8) + body


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)         # blocking: waits while the backlog is full
    s.settimeout(5)
    return s


def sasl(s):
    """EXTERNAL authentication with unix fds, as sd-bus's client does."""
    s.sendall(b"\0AUTH EXTERNAL " + str(os.getuid()).encode().hex().encode() + b"\r\n")
    if not s.recv(256).startswith(b"OK "):
        raise RuntimeError("no OK to AUTH EXTERNAL")
    s.sendall(b"NEGOTIATE_UNIX_FD\r\n")
    if not s.recv(256).startswith(b"AGREE_UNIX_FD"):
        raise RuntimeError("no AGREE_UNIX_FD")
    s.sendall(b"BEGIN\r\n")


def send_fds(s, data, fds):
    s.sendmsg([data], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, struct.pack(f"{len(fds)}i", *fds))]
              if fds else [])


def drain_and_close(s):
    """What the service answers, until it closes or goes quiet."""
    s.settimeout(1)
    try:
        while s.recv(65536):
            pass
    except OSError:
        pass
    s.close()


def register(sig="h", nfds=1):
    return message("/org/qemu/Display1/Console_0", DISPLAY1 + ".Console", "RegisterListener",
                   sig, struct.pack("<I", 0), nfds=nfds)


def cases(path):
    null = os.open("/dev/null", os.O_RDONLY)

    def case(name, fn):
        try:
            s = connect(path)
        except OSError as e:
            print(f"{name}: cannot connect: {e}")
            return
        try:
            fn(s)
        except OSError as e:
            print(f"{name}: {e.__class__.__name__} {e}")
        drain_and_close(s)
        print(f"{name}: done")

    case("garbage before authenticating", lambda s: s.sendall(os.urandom(4096)))
    case("an endless AUTH line", lambda s: s.sendall(b"\0AUTH " + b"A" * 65536))
    case("fds during authentication", lambda s: send_fds(s, b"\0AUTH EXTERNAL 30\r\n", [null] * 64))

    def after_auth(data, fds=()):
        def fn(s):
            sasl(s)
            send_fds(s, data, list(fds))
        return fn

    case("garbage after BEGIN", after_auth(os.urandom(8192)))
    case("a body of 2 GiB declared", after_auth(message("/", "a.b", "C", body_len=0x7fffffff)))
    case("a header field array of 1 GiB declared",
         after_auth(message("/", "a.b", "C", fields_len=0x40000000)))
    case("a big-endian header with a bad version",
         after_auth(b"B\x01\x00\x09" + os.urandom(60)))
    case("RegisterListener with the fd it names missing", after_auth(register(nfds=1)))
    case("RegisterListener with /dev/null as the listener", after_auth(register(), [null]))
    case("RegisterListener with 253 fds", after_auth(register(nfds=253), [null] * 253))
    case("a wrong signature", after_auth(register(sig="s", nfds=0)))
    case("an unknown object and method",
         after_auth(message("/x/y", "x.Y", "Z", "s", _s("z" * 100))))

    def flood_calls(s):
        sasl(s)
        one = message("/org/qemu/Display1/VM", "org.freedesktop.DBus.Properties", "GetAll",
                      "s", _s(DISPLAY1 + ".VM"))
        s.settimeout(0.5)
        for i in range(2000):
            try:
                s.sendall(one)
            except OSError:
                break
    case("2000 calls without reading a reply", flood_calls)

    def listener_garbage(s):
        sasl(s)
        mine, theirs = socket.socketpair()
        send_fds(s, register(), [theirs.fileno()])
        theirs.close()
        mine.settimeout(2)
        try:
            mine.recv(256)        # the service's side of the listener handshake
        except OSError:
            pass
        mine.sendall(os.urandom(8192))
        drain_and_close(mine)
    case("a listener that answers with garbage", listener_garbage)

    # Connections: many at once, then many one after the other.
    held = []
    for i in range(40):
        try:
            held.append(connect(path))
        except OSError as e:
            print(f"connection {i} of 40 at once: {e}")
            break
    for s in held:
        s.close()
    print(f"{len(held)} connections at once: done")
    for i in range(200):
        connect(path).close()
    print("200 connections one after the other: done")
    os.close(null)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    t0 = time.monotonic()
    cases(sys.argv[1])
    print(f"all cases in {time.monotonic() - t0:.1f} s")


if __name__ == "__main__":
    main()
