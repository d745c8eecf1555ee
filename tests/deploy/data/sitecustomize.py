"""Loaded by the image-command tests: refuse and record any connection that leaves this machine.

The image must work with no network at all (models baked in, telemetry off); a download attempt fails loudly
here instead of hanging on a timeout, and the test reads the record.
"""

import ipaddress
import os
import socket

_connect = socket.socket.connect


def _guarded_connect(self, address):  # type: ignore[no-untyped-def]
    host = address[0] if isinstance(address, tuple) else None
    if host is not None:
        try:
            local = ipaddress.ip_address(host).is_loopback
        except ValueError:
            local = host == "localhost"
        if not local:
            with open(os.environ["BRIEFBOT_TEST_NET_LOG"], "a", encoding="utf-8") as log:
                log.write(f"{host}:{address[1]}\n")
            raise ConnectionRefusedError(f"test guard: no network beyond loopback ({host})")
    return _connect(self, address)


socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
