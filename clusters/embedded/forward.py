"""A TCP relay from the node's bridge address to the API server on loopback.

The API server listens on 127.0.0.1 only; pods reach it through the
``kubernetes`` Service, whose endpoint is the node address. This relay, run as
its own process by the real node, is what answers there: nothing listens on a
public interface. Usage: ``python -m clusters.embedded.forward LISTEN_IP:PORT TARGET_IP:PORT``.
"""

from __future__ import annotations

import asyncio
import signal
import sys


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(1 << 16):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def _serve(listen: tuple[str, int], target: tuple[str, int]) -> None:
    async def relay(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*target)
        except OSError:
            writer.close()
            return
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))

    server = await asyncio.start_server(relay, *listen)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()


def _address(text: str) -> tuple[str, int]:
    host, _sep, port = text.rpartition(":")
    return host, int(port)


if __name__ == "__main__":
    asyncio.run(_serve(_address(sys.argv[1]), _address(sys.argv[2])))
