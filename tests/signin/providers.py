"""The real identity providers of the sign-in tests, on loopback, started like PostgreSQL is:
the certified `oidc-provider` (Node, tests/signin/oidc/) and pysaml2's IdP (saml_idp.py). Every key
and certificate is generated here at test time; nothing secret is committed."""

from __future__ import annotations

import base64
import html
import json
import re
import secrets
import subprocess
import sys
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from api.settings import ApiSettings
from api.signin.saml import BPP_NAMESPACE, LOA_ATTRIBUTE, PRIVILEGES_ATTRIBUTE, metadata_xml

from support.live import free_port

HERE = Path(__file__).resolve().parent
CVR = "29189846"
CASEWORKER_ROLE = "http://sagsflow.dk/roles/usersystemrole/sagsbehandler/1"
LEADER_ROLE = "http://sagsflow.dk/roles/usersystemrole/leder/1"
ORG_UNIT = "http://sts.kombit.dk/constraints/orgenhed/1"
KLE = "http://sts.kombit.dk/constraints/KLE/1"
UNIT_A = "9f3c5a1e-7f43-4c1e-9a55-0c6a7e2b1d01"
CLIENT_ID = "sagsflow-pages"


def key_pair(directory: Path, name: str) -> tuple[Path, Path]:
    """A fresh RSA key and a self-signed certificate for it (PEM files)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = directory / f"{name}.key", directory / f"{name}.crt"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


def privileges(*groups: tuple[str, list[str], list[tuple[str, str]]]) -> str:
    """An OIO-BPP PrivilegeList, base64 as the Context Handler sends it: (CVR, roles, constraints)."""
    parts = []
    for cvr, roles, constraints in groups:
        inner = "".join(f'<Constraint Name="{n}">{v}</Constraint>' for n, v in constraints)
        inner += "".join(f"<Privilege>{r}</Privilege>" for r in roles)
        parts.append(
            f'<PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:{cvr}">{inner}</PrivilegeGroup>'
        )
    document = f'<bpp:PrivilegeList xmlns:bpp="{BPP_NAMESPACE}">{"".join(parts)}</bpp:PrivilegeList>'
    return base64.b64encode(document.encode()).decode()


def saml_user(
    name_id: str, level: str, *groups: tuple[str, list[str], list[tuple[str, str]]]
) -> dict[str, Any]:
    return {
        "name_id": name_id,
        "attributes": {
            LOA_ATTRIBUTE: [level],
            PRIVILEGES_ATTRIBUTE: [privileges(*groups)],
            "https://data.gov.dk/model/core/specVersion": ["OIOSAML-3.0"],
            "https://data.gov.dk/model/core/eid/cvr": [CVR],
        },
    }


SAML_USERS = {
    "sagsbehandler-a": saml_user("cw-saml-a", "Substantial", (CVR, [CASEWORKER_ROLE], [(ORG_UNIT, UNIT_A)])),
    "leder": saml_user("leader-saml", "High", (CVR, [LEADER_ROLE], [])),
    "lav-sikring": saml_user("cw-low", "Low", (CVR, [CASEWORKER_ROLE], [(ORG_UNIT, UNIT_A)])),
    "ukendt-rolle": saml_user("cw-unknown", "Substantial", (CVR, ["http://other.dk/roles/x/1"], [])),
    "anden-kommune": saml_user("cw-other", "Substantial", ("11111111", [CASEWORKER_ROLE], [])),
}
OIDC_ACCOUNTS = {
    "cw-a": {"name": "Sagsbehandler A", "groups": ["g-caseworkers", "g-team-a"]},
    "leader": {"name": "Leder", "groups": ["g-leaders"]},
    "nobody": {"name": "Uden roller", "groups": ["g-unrelated"]},
}
RIGHTS = {
    "oidc": {
        "municipality": "0101",
        "claims": ["groups"],
        "roles": {"g-caseworkers": ["caseworker"], "g-leaders": ["leader"]},
        "teams": {"g-team-a": "team-a"},
    },
    "saml": {
        "municipalities": {CVR: "0101"},
        "roles": {CASEWORKER_ROLE: ["caseworker"], LEADER_ROLE: ["leader"]},
        "teams": {ORG_UNIT: {UNIT_A: "team-a"}, KLE: {"27.24.00": "team-b"}},
    },
}


def _wait_ready(process: subprocess.Popen[str], what: str, log: Path) -> None:
    assert process.stdout is not None
    for _ in range(50):
        line = process.stdout.readline()
        if line.strip() == "ready":
            return
        if not line and process.poll() is not None:
            break
    raise RuntimeError(f"{what} did not start: {log.read_text()[-2000:]}")


@dataclass
class Providers:
    """Both providers, for the service providers at `bases` (one per app: its public URL)."""

    directory: Path
    bases: list[str]
    encrypt_for: list[str] = field(default_factory=list)
    op_port: int = field(default_factory=free_port)
    idp_port: int = field(default_factory=free_port)
    client_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    processes: list[subprocess.Popen[str]] = field(default_factory=list)

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.op_port}"

    @property
    def idp_base(self) -> str:
        return f"http://127.0.0.1:{self.idp_port}"

    @property
    def idp_metadata(self) -> Path:
        return self.directory / "idp-metadata.xml"

    def start(self) -> Providers:
        self.sp_key, self.sp_cert = key_pair(self.directory, "sp")
        self.idp_key, self.idp_cert = key_pair(self.directory, "idp")
        self.rights = self.directory / "rights.yaml"
        self.rights.write_text(json.dumps(RIGHTS))  # JSON is YAML
        self._start_op()
        self._start_idp()
        return self

    def settings(self, base: str, **overrides: Any) -> dict[str, Any]:
        """The service provider's sign-in settings for the app served at `base`."""
        values: dict[str, Any] = {
            "public_url": base,
            "rights_file": self.rights,
            "login_oidc_issuer": self.issuer,
            "login_oidc_client_id": CLIENT_ID,
            "login_oidc_client_secret": self.client_secret,
            "login_oidc_scopes": "openid profile groups",
            "saml_idp_metadata_file": self.idp_metadata,
            "saml_key_file": self.sp_key,
            "saml_cert_file": self.sp_cert,
            "saml_require_encryption": base in self.encrypt_for,
        }
        values.update(overrides)
        return values

    def env(self, base: str) -> dict[str, str]:
        return {f"SAGSFLOW_{k.upper()}": str(v) for k, v in self.settings(base).items()}

    def _start_op(self) -> None:
        config = {
            "issuer": self.issuer,
            "port": self.op_port,
            "client": {
                "client_id": CLIENT_ID,
                "client_secret": self.client_secret,
                "redirect_uris": [f"{b}/auth/oidc/callback" for b in self.bases],
                "post_logout_redirect_uris": [f"{b}/ui/login?signed_out=1" for b in self.bases],
            },
            "accounts": OIDC_ACCOUNTS,
        }
        path = self.directory / "op.json"
        path.write_text(json.dumps(config))
        node_modules = HERE / "oidc" / "node_modules" / "oidc-provider"
        if not node_modules.is_dir():
            raise RuntimeError("the test OpenID provider is not installed: run scripts/setup-signin")
        self._spawn(["node", str(HERE / "oidc" / "server.mjs"), str(path)], "the OpenID provider")

    def _start_idp(self) -> None:
        sp_files = []
        for index, base in enumerate(self.bases):
            sp = self.directory / f"sp-{index}.xml"
            sp.write_text(metadata_xml(ApiSettings(**self.settings(base, saml_idp_metadata_file=None))))
            sp_files.append(str(sp))
        config = {
            "base": self.idp_base,
            "port": self.idp_port,
            "key_file": str(self.idp_key),
            "cert_file": str(self.idp_cert),
            "metadata_out": str(self.idp_metadata),
            "sp_metadata": sp_files,
            "encrypt_for": [f"{b}/auth/saml/metadata" for b in self.encrypt_for],
            "users": SAML_USERS,
        }
        path = self.directory / "idp.json"
        path.write_text(json.dumps(config))
        self._spawn([sys.executable, str(HERE / "saml_idp.py"), str(path)], "the SAML IdP")

    def _spawn(self, command: list[str], what: str) -> None:
        log = self.directory / f"{command[1].rsplit('/', 1)[-1]}.log"
        with log.open("w") as errors:
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, text=True)
        self.processes.append(process)
        _wait_ready(process, what, log)

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
            process.wait(10)
            if process.stdout is not None:
                process.stdout.close()


FORM_FIELD = re.compile(r'name="(?P<name>[^"]+)" value="(?P<value>[^"]*)"')


def form_fields(page: str) -> Mapping[str, str]:
    return {m["name"]: html.unescape(m["value"]) for m in FORM_FIELD.finditer(page)}


def idp_answer(location: str, user: str) -> str:
    """Sign in as `user` at the IdP the redirect `location` goes to; the SAMLResponse it posts."""
    with httpx.Client(timeout=30) as idp:
        form = idp.get(location)
        assert form.status_code == 200, form.text
        key = re.search(r"name='key' value='([^']+)'", form.text)
        assert key is not None, form.text
        base = location.split("/sso/", maxsplit=1)[0]
        posted = idp.post(f"{base}/sso/login", data={"key": key.group(1), "user": user})
        assert posted.status_code == 200, posted.text
    return form_fields(posted.text)["SAMLResponse"]


def op_answer(location: str, login: str, redirect_base: str) -> str:
    """Sign in as `login` at the OpenID provider's own login page; the URL it then sends the
    browser back to (our callback with the code)."""
    url = location
    with httpx.Client(timeout=30) as op:
        for _ in range(10):
            response = op.get(url)
            if response.status_code not in (302, 303):
                action = re.search(r'action="([^"]+)"', response.text)
                assert action is not None, response.text
                fields = {"prompt": "login", "login": login, "password": "any"}
                response = op.post(str(httpx.URL(url).join(action.group(1))), data=fields)
                assert response.status_code in (302, 303), response.text
            url = str(httpx.URL(url).join(response.headers["location"]))
            if url.startswith(redirect_base):
                return url
    raise AssertionError("the OpenID provider never sent the browser back")


def request_id(location: str) -> str:
    """The ID of the AuthnRequest in a redirect to the IdP (HTTP-Redirect binding: deflated)."""
    encoded = parse_qs(urlparse(location).query)["SAMLRequest"][0]
    xml = zlib.decompress(base64.b64decode(encoded), -15).decode()
    found = re.search(r' ID="([^"]+)"', xml)
    assert found is not None, xml
    return found.group(1)
