#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""One key pressed and released through a VM's display service, as any
Display1 client sends it (Keyboard.Press and Release with QEMU's key
number, on Console_0), on the wire by hand (svcfuzz.py's D-Bus helpers).
Prints each answer: "ok" for a method return, else "error NAME: TEXT".

Usage: svcinput.py SOCKET QNUM
"""
import struct
import sys

import svcfuzz

KEYBOARD = svcfuzz.DISPLAY1 + ".Keyboard"


def answer(s):
    """The next message's type, and its error name and text when an error."""
    data = b""
    while len(data) < 16:
        data += s.recv(4096)
    body_len, _, fields_len = struct.unpack("<III", data[4:16])
    total = 16 + fields_len + (-fields_len % 8) + body_len
    while len(data) < total:
        data += s.recv(4096)
    if data[1] != 3:
        return "ok"
    text = data[total - body_len:total]
    name = data[16:16 + fields_len].split(b"org.freedesktop.DBus.Error.")[-1].split(b"\0")[0]
    msg = text[4:4 + struct.unpack("<I", text[:4])[0]] if body_len >= 4 else b""
    return f"error {name.decode(errors='replace')}: {msg.decode(errors='replace')}"


def main():
    path, qnum = sys.argv[1], int(sys.argv[2], 0)
    s = svcfuzz.connect(path)
    svcfuzz.sasl(s)
    for serial, member in ((1, "Press"), (2, "Release")):
        s.sendall(svcfuzz.message("/org/qemu/Display1/Console_0", KEYBOARD, member, "u",
                                  struct.pack("<I", qnum), serial=serial))
        print(f"{member} {answer(s)}", flush=True)
    s.close()


main()
