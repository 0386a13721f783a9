"""Bastion: a self-hosted AI governance and security platform.

``import bastion`` stays light so that notebooks can use the SDK and, later, the pure
compute packages without a server or a database.
"""

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from bastion.sdk.client import Client

__all__ = ["Client", "__version__"]


def __getattr__(name: str) -> Any:
    # Imported on first use so `import bastion` does not pull in httpx.
    if name == "Client":
        from bastion.sdk.client import Client

        return Client
    raise AttributeError(f"module 'bastion' has no attribute {name!r}")
