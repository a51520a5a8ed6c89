"""The multipart body Camunda Modeler 5.x sends when its Deploy button is pressed (notes §5.1, §6.5).

The Modeler deploys the file in its open tab, named after the diagram's id, from the source
"Camunda Modeler", with duplicate filtering on; any attachments (forms) follow the diagram.
"""

from __future__ import annotations

BOUNDARY = "----formdata-undici-027309577751"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"


def modeler_body(
    deployment_name: str,
    file_name: str,
    content: bytes,
    attachments: list[tuple[str, bytes]] | None = None,
    tenant: str | None = None,
) -> bytes:
    """The multipart body undici's FormData writes for CamundaAPI.deployDiagram."""

    def field(name: str, value: str) -> bytes:
        return f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()

    def file(name: str, data: bytes, content_type: str) -> bytes:
        head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; filename="{name}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        )
        return head.encode() + data + b"\r\n"

    parts = [
        field("deployment-name", deployment_name),
        field("deployment-source", "Camunda Modeler"),
        field("enable-duplicate-filtering", "true"),
    ]
    if tenant:
        parts.append(field("tenant-id", tenant))
    parts.append(file(file_name, content, "text/xml"))
    parts += [file(name, data, "application/octet-stream") for name, data in attachments or []]
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()
