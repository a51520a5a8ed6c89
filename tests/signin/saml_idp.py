"""A real SAML 2.0 identity provider for Sagsflow's sign-in tests: pysaml2's IdP (`saml2.server.
Server`), behind a small HTTP front that shows a login form, speaking as KOMBIT's Context Handler
does under OIOSAML 3: signed assertions (optionally encrypted) with the NSIS level and the OIO-BPP
privileges as attributes, signed AuthnRequests required, single logout.

Usage: python saml_idp.py <config.json>; the JSON file holds
    {"base": "http://127.0.0.1:<port>", "port": <port>, "key_file", "cert_file",
     "metadata_out": <where to write this IdP's metadata>, "sp_metadata": [<SP metadata files>],
     "encrypt_for": [<SP entity ids whose assertions are encrypted>], "users": {"<login>": {"name_id": ..., "attributes": {...}}}}
Writes its metadata, then prints "ready" once it listens.
"""

from __future__ import annotations

import html
import json
import secrets
import shutil
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

LOA_CONTEXT = "https://data.gov.dk/concept/core/nsis/loa/"


def idp_config(config: dict[str, Any]) -> dict[str, Any]:
    base = config["base"]
    return {
        "entityid": f"{base}/metadata",
        "xmlsec_binary": shutil.which("xmlsec1"),
        "key_file": config["key_file"],
        "cert_file": config["cert_file"],
        "metadata": {"local": config["sp_metadata"]},
        "allow_unknown_attributes": True,
        "signing_algorithm": SIG_RSA_SHA256,
        "digest_algorithm": DIGEST_SHA256,
        "accepted_time_diff": 60,
        "service": {
            "idp": {
                "name": "Test Context Handler",
                "endpoints": {
                    "single_sign_on_service": [(f"{base}/sso/redirect", BINDING_HTTP_REDIRECT)],
                    "single_logout_service": [(f"{base}/slo/redirect", BINDING_HTTP_REDIRECT)],
                },
                "want_authn_requests_signed": True,
                "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                "policy": {
                    "default": {
                        "lifetime": {"minutes": 5},
                        "name_form": "urn:oasis:names:tc:SAML:2.0:attrname-format:uri",
                    }
                },
            }
        },
    }


class Idp:
    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        loaded = IdPConfig().load(idp_config(config))
        with open(config["metadata_out"], "w", encoding="utf-8") as out:
            out.write(str(entity_descriptor(loaded)))
        self.server = Server(config=loaded)
        self.pending: dict[str, Any] = {}

    def authn_request(self, query: dict[str, str]) -> str:
        """Check the SP's signed request and show the login form."""
        request = self.server.parse_authn_request(
            query["SAMLRequest"],
            BINDING_HTTP_REDIRECT,
            relay_state=query.get("RelayState"),
            sigalg=query.get("SigAlg"),
            signature=query.get("Signature"),
        )
        key = secrets.token_urlsafe(16)
        self.pending[key] = (request.message, query.get("RelayState", ""))
        options = "".join(
            f'<option value="{html.escape(u)}">{html.escape(u)}</option>' for u in self.config["users"]
        )
        return (
            "<!doctype html><html lang='da'><head><title>Test Context Handler</title></head><body>"
            "<h1>Test Context Handler</h1><form method='post' action='/sso/login'>"
            f"<input type='hidden' name='key' value='{key}'>"
            f"<label for='user'>Bruger</label><select id='user' name='user'>{options}</select>"
            "<button type='submit'>Log ind hos IdP</button></form></body></html>"
        )

    def login(self, form: dict[str, str]) -> str:
        """The signed (and encrypted) answer, posted to the SP by the browser."""
        request, relay_state = self.pending.pop(form["key"])
        user = self.config["users"][form["user"]]
        sp = request.issuer.text
        destination = self.server.config.metadata.assertion_consumer_service(sp, BINDING_HTTP_POST)[0][
            "location"
        ]
        name_id = NameID(format=NAMEID_FORMAT_PERSISTENT, text=user["name_id"], sp_name_qualifier=sp)
        response = self.server.create_authn_response(
            identity=user["attributes"],
            in_response_to=request.id,
            destination=destination,
            sp_entity_id=sp,
            name_id=name_id,
            authn={
                "class_ref": LOA_CONTEXT + user["attributes"]["https://data.gov.dk/concept/core/nsis/loa"][0]
            },
            sign_assertion=True,
            sign_response=True,
            encrypt_assertion=sp in self.config.get("encrypt_for", []),
            encrypt_assertion_self_contained=True,
            sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
        )
        info = self.server.apply_binding(
            BINDING_HTTP_POST, str(response), destination, relay_state, response=True
        )
        return str(info["data"])

    def logout(self, query: dict[str, str]) -> str:
        """Check the SP's signed LogoutRequest and answer with a signed LogoutResponse (redirect)."""
        request = self.server.parse_logout_request(
            query["SAMLRequest"],
            BINDING_HTTP_REDIRECT,
            relay_state=query.get("RelayState"),
            sigalg=query.get("SigAlg"),
            signature=query.get("Signature"),
        )
        response = self.server.create_logout_response(request.message, [BINDING_HTTP_REDIRECT], status=None)
        sp = request.message.issuer.text
        destination = self.server.config.metadata.single_logout_service(sp, BINDING_HTTP_REDIRECT, "spsso")[
            0
        ]["location"]
        info = self.server.apply_binding(
            BINDING_HTTP_REDIRECT,
            str(response),
            destination,
            query.get("RelayState", ""),
            response=True,
            sign=True,
            sigalg=SIG_RSA_SHA256,
        )
        return str(dict(info["headers"])["Location"])

    def initiate_logout(self, query: dict[str, str]) -> str:
        """The IdP signs `user` out at the SP `sp` (IdP-initiated single logout): a signed
        LogoutRequest, sent by redirect."""
        sp, user = query["sp"], self.config["users"][query["user"]]
        destination = self.server.config.metadata.single_logout_service(sp, BINDING_HTTP_REDIRECT, "spsso")[
            0
        ]["location"]
        name_id = NameID(format=NAMEID_FORMAT_PERSISTENT, text=user["name_id"], sp_name_qualifier=sp)
        _, request = self.server.create_logout_request(destination, sp, name_id=name_id, sign=False)
        info = self.server.apply_binding(
            BINDING_HTTP_REDIRECT, str(request), destination, "", sign=True, sigalg=SIG_RSA_SHA256
        )
        return str(dict(info["headers"])["Location"])


def handler(idp: Idp) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            return

        def _send(self, status: int, body: str = "", location: str | None = None) -> None:
            self.send_response(status)
            if location:
                self.send_header("Location", location)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body.encode())

        def do_GET(self) -> None:
            url = urlparse(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            try:
                if url.path == "/sso/redirect":
                    self._send(200, idp.authn_request(query))
                elif url.path == "/slo/redirect":
                    self._send(303, location=idp.logout(query))
                elif url.path == "/slo/initiate":
                    self._send(303, location=idp.initiate_logout(query))
                elif url.path == "/health":
                    self._send(200, "ok")
                else:
                    self._send(404, "not found")
            except Exception as err:  # a refused request: the test sees a 400
                self._send(400, f"refused: {type(err).__name__}")

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if urlparse(self.path).path == "/sso/login":
                self._send(200, idp.login(form))
            else:
                self._send(404, "not found")

    return Handler


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as source:
        config = json.load(source)
    idp = Idp(config)
    server = ThreadingHTTPServer(("127.0.0.1", config["port"]), handler(idp))
    print("ready", flush=True)  # noqa: T201
    server.serve_forever()


if __name__ == "__main__":
    main()
