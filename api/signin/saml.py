"""SAML 2.0 service provider for KOMBIT's Context Handler (OIOSAML 3), built on pysaml2.

Signatures and decryption are pysaml2's (xmlsec1), never our own. What this module adds on top:
signed AuthnRequests (HTTP-Redirect, RSA-SHA256) asking for the configured NSIS level, a signed
assertion required (and an encrypted one if configured), only the response to this browser's own
request accepted (`InResponseTo`), the assertion's times checked once more against our clock with
a bounded skew, the NSIS level checked, and the OIO-BPP privileges parsed with a hardened parser.
One-time use of each assertion is the database's (engine/sessions.py).
"""

from __future__ import annotations

import base64
import binascii
import calendar
import json
import logging
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import defusedxml.ElementTree as SafeXml
from defusedxml import DefusedXmlException
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, time_util
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import entity_descriptor
from saml2.s_utils import UnsupportedBinding
from saml2.saml import NAMEID_FORMAT_PERSISTENT, AuthnContextClassRef, NameID, name_id_from_string
from saml2.samlp import RequestedAuthnContext
from saml2.sigver import SignatureError, verify_redirect_signature
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from api.settings import ApiSettings
from api.signin.rights import PrivilegeGroup

LOA_ATTRIBUTE = "https://data.gov.dk/concept/core/nsis/loa"
PRIVILEGES_ATTRIBUTE = "https://data.gov.dk/model/core/eid/privilegesIntermediate"
LOA_CONTEXT = "https://data.gov.dk/concept/core/nsis/loa/"
BPP_NAMESPACE = "http://digst.dk/oiosaml/basic_privilege_profile"
NSIS_LEVELS = ("Low", "Substantial", "High")
MAX_PRIVILEGES_BYTES = 200_000


class SamlRefused(Exception):
    """The answer signs nobody in; `reason` is short, holds no personal data, and is logged."""

    def __init__(self, reason: str, subject: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.subject = subject


@dataclass(frozen=True)
class SamlIdentity:
    subject: str
    issuer: str
    assertion_id: str
    expires_at: datetime
    privileges: tuple[PrivilegeGroup, ...]
    provider_session: str


def sp_config(settings: ApiSettings) -> dict[str, Any]:
    """pysaml2's configuration of this service provider (also used to write its metadata)."""
    base = (settings.public_url or "").rstrip("/")
    entity_id = settings.saml_entity_id or f"{base}/auth/saml/metadata"
    encryption_key = settings.saml_encryption_key_file or settings.saml_key_file
    encryption_cert = settings.saml_encryption_cert_file or settings.saml_cert_file
    return {
        "entityid": entity_id,
        "xmlsec_binary": settings.xmlsec_binary or shutil.which("xmlsec1"),
        "key_file": str(settings.saml_key_file),
        "cert_file": str(settings.saml_cert_file),
        "encryption_keypairs": [{"key_file": str(encryption_key), "cert_file": str(encryption_cert)}],
        "metadata": {"local": [str(settings.saml_idp_metadata_file)]}
        if settings.saml_idp_metadata_file
        else {},
        "allow_unknown_attributes": True,
        "accepted_time_diff": settings.saml_max_skew_seconds,
        "signing_algorithm": SIG_RSA_SHA256,
        "digest_algorithm": DIGEST_SHA256,
        "service": {
            "sp": {
                "name": "Sagsflow",
                "endpoints": {
                    "assertion_consumer_service": [(f"{base}/auth/saml/acs", BINDING_HTTP_POST)],
                    "single_logout_service": [(f"{base}/auth/saml/slo", BINDING_HTTP_REDIRECT)],
                },
                "authn_requests_signed": True,
                "logout_requests_signed": True,
                "logout_responses_signed": True,
                "want_assertions_signed": True,
                "want_response_signed": False,
                "want_assertions_or_response_signed": True,
                "allow_unsolicited": False,
                "name_id_format": NAMEID_FORMAT_PERSISTENT,
                "name_id_format_allow_create": False,
                "required_attributes": [LOA_ATTRIBUTE, PRIVILEGES_ATTRIBUTE],
            }
        },
    }


def metadata_xml(settings: ApiSettings) -> str:
    """This service provider's signed-request metadata, to register with the Context Handler."""
    config = SPConfig().load(sp_config(settings))
    return str(entity_descriptor(config))


class SamlSignIn:
    def __init__(self, settings: ApiSettings) -> None:
        # pysaml2 logs refused messages with their content (personal data): keep it quiet.
        logging.getLogger("saml2").setLevel(logging.CRITICAL)
        self.settings = settings
        self.client = Saml2Client(config=SPConfig().load(sp_config(settings)))
        idps = list(self.client.metadata.identity_providers())
        if len(idps) != 1:
            raise ValueError(
                f"SAGSFLOW_SAML_IDP_METADATA_FILE must describe exactly one IdP, found {len(idps)}"
            )
        self.idp = idps[0]
        if settings.saml_nsis_level not in NSIS_LEVELS:
            raise ValueError(f"SAGSFLOW_SAML_NSIS_LEVEL must be one of {', '.join(NSIS_LEVELS)}")

    @property
    def metadata(self) -> str:
        return metadata_xml(self.settings)

    def start(self) -> tuple[str, str]:
        """A signed AuthnRequest as a redirect: (its request id, the URL to send the browser to)."""
        context = RequestedAuthnContext(
            authn_context_class_ref=[AuthnContextClassRef(text=LOA_CONTEXT + self.settings.saml_nsis_level)],
            comparison="minimum",
        )
        request_id, info = self.client.prepare_for_authenticate(
            entityid=self.idp,
            binding=BINDING_HTTP_REDIRECT,
            sign=True,
            sigalg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
            requested_authn_context=context,
        )
        location = dict(info["headers"])["Location"]
        return str(request_id), str(location)

    def finish(self, saml_response: str, request_id: str, now: datetime) -> SamlIdentity:
        """The verified identity in an HTTP-POST answer to request `request_id`, or SamlRefused."""
        if self.settings.saml_require_encryption and not assertion_encrypted(saml_response):
            raise SamlRefused("the assertion was not encrypted")
        try:
            response = self.client.parse_authn_request_response(
                saml_response, BINDING_HTTP_POST, outstanding={request_id: "/"}
            )
        except SignatureError:
            raise SamlRefused("the signature is missing or wrong") from None
        except Exception as err:  # pysaml2 raises many unrelated classes for refusals
            raise SamlRefused(_reason(err)) from None
        if response is None or response.assertion is None:  # pysaml2's Destination check, among others
            raise SamlRefused("the answer is not for this service provider")
        return self._identity(response, now)

    def _identity(self, response: Any, now: datetime) -> SamlIdentity:
        assertion = response.assertion
        expires_at = self._check_times(assertion, now)
        attributes = response.ava or {}
        self._check_level(attributes)
        name_id = response.name_id
        subject = getattr(name_id, "text", None)
        if not isinstance(subject, str) or not 0 < len(subject) <= 200:
            raise SamlRefused("no usable NameID")
        statements = assertion.authn_statement or []
        session_index = statements[0].session_index if statements else None
        return SamlIdentity(
            subject=subject,
            issuer=str(response.issuer()),
            assertion_id=str(assertion.id),
            expires_at=expires_at,
            privileges=privilege_groups(attributes.get(PRIVILEGES_ATTRIBUTE, [])),
            provider_session=json.dumps({"name_id": str(name_id), "session_index": session_index}),
        )

    def _check_times(self, assertion: Any, now: datetime) -> datetime:
        """NotBefore/NotOnOrAfter of the conditions and subject confirmations, on our clock with
        the configured skew (pysaml2 checked them on the wall clock already)."""
        skew = timedelta(seconds=self.settings.saml_max_skew_seconds)
        ends: list[datetime] = []
        starts: list[datetime] = []
        conditions = assertion.conditions
        if conditions is not None:
            ends += _instants(conditions.not_on_or_after)
            starts += _instants(conditions.not_before)
        for confirmation in getattr(assertion.subject, "subject_confirmation", None) or []:
            data = confirmation.subject_confirmation_data
            if data is not None:
                ends += _instants(data.not_on_or_after)
        if not ends:
            raise SamlRefused("the assertion has no NotOnOrAfter")
        if min(ends) + skew <= now:
            raise SamlRefused("the assertion has expired")
        if starts and max(starts) - skew > now:
            raise SamlRefused("the assertion is not yet valid")
        return max(ends) + skew

    def _check_level(self, attributes: dict[str, list[str]]) -> None:
        values = attributes.get(LOA_ATTRIBUTE, [])
        level = values[0] if len(values) == 1 else None
        required = NSIS_LEVELS.index(self.settings.saml_nsis_level)
        if level not in NSIS_LEVELS or NSIS_LEVELS.index(level) < required:
            raise SamlRefused(f"the NSIS assurance level is below {self.settings.saml_nsis_level}")

    def logout_redirect(self, provider_session: str, relay_state: str) -> str | None:
        """The URL of a signed LogoutRequest to the IdP (single logout), if it has an endpoint."""
        stored = json.loads(provider_session)
        try:
            services = self.client.metadata.single_logout_service(self.idp, BINDING_HTTP_REDIRECT, "idpsso")
            destination = services[0]["location"]
        except (IndexError, KeyError, UnsupportedBinding):
            return None
        name_id: NameID = name_id_from_string(stored["name_id"])
        indexes = [stored["session_index"]] if stored.get("session_index") else None
        _, request = self.client.create_logout_request(
            destination, self.idp, name_id=name_id, session_indexes=indexes, sign=False
        )
        info = self.client.apply_binding(
            BINDING_HTTP_REDIRECT, str(request), destination, relay_state, sign=True, sigalg=SIG_RSA_SHA256
        )
        return str(dict(info["headers"])["Location"])

    def logout_answer(self, query: dict[str, str]) -> bool:
        """Whether the IdP's LogoutResponse (HTTP-Redirect) is signed by it and successful."""
        if not self._redirect_signed(query, "SAMLResponse"):
            return False
        try:
            response = self.client.parse_logout_request_response(query["SAMLResponse"], BINDING_HTTP_REDIRECT)
        except Exception:
            return False
        return response is not None and bool(response.status_ok())

    def logout_request(self, query: dict[str, str]) -> tuple[str, str]:
        """The IdP's single logout (a signed LogoutRequest, HTTP-Redirect): whom to sign out, and
        the URL of our signed LogoutResponse to send the browser back with."""
        if not self._redirect_signed(query, "SAMLRequest"):
            raise SamlRefused("the logout request is not signed by the identity provider")
        try:
            request = self.client.parse_logout_request(query["SAMLRequest"], BINDING_HTTP_REDIRECT)
            subject = request.message.name_id.text
            destination = self.client.metadata.single_logout_service(
                self.idp, BINDING_HTTP_REDIRECT, "idpsso"
            )[0]["location"]
            response = self.client.create_logout_response(request.message, [BINDING_HTTP_REDIRECT])
            info = self.client.apply_binding(
                BINDING_HTTP_REDIRECT,
                str(response),
                destination,
                query.get("RelayState", ""),
                response=True,
                sign=True,
                sigalg=SIG_RSA_SHA256,
            )
        except Exception as err:
            raise SamlRefused(_reason(err)) from None
        return str(subject), str(dict(info["headers"])["Location"])

    def _redirect_signed(self, query: dict[str, str], kind: str) -> bool:
        """pysaml2's check of an HTTP-Redirect signature against the IdP's signing certificates."""
        if kind not in query or "Signature" not in query or "SigAlg" not in query:
            return False
        message = {k: query[k] for k in (kind, "RelayState", "SigAlg", "Signature") if k in query}
        certs = self.client.metadata.certs(self.idp, "idpsso", "signing")
        backend = self.client.sec.sec_backend
        try:
            return any(verify_redirect_signature(message, backend, cert) for _, cert in certs)
        except Exception:
            return False


def privilege_groups(values: list[str]) -> tuple[PrivilegeGroup, ...]:
    """KOMBIT's privileges (OIO Basic Privilege Profile): base64 of a PrivilegeList document,
    parsed with DTDs, entities and external references refused."""
    groups: list[PrivilegeGroup] = []
    for value in values:
        try:
            raw = base64.b64decode(value, validate=True)
            if len(raw) > MAX_PRIVILEGES_BYTES:
                raise SamlRefused("the privilege list is too large")
            root = SafeXml.fromstring(raw, forbid_dtd=True)
        except (binascii.Error, ValueError, SafeXml.ParseError, DefusedXmlException):
            raise SamlRefused("the privilege list cannot be read") from None
        if root.tag != f"{{{BPP_NAMESPACE}}}PrivilegeList":
            raise SamlRefused("the privilege list is not an OIO-BPP PrivilegeList")
        for group in root:
            if _local(group.tag) != "PrivilegeGroup":
                continue
            privileges = tuple((p.text or "").strip() for p in group if _local(p.tag) == "Privilege")
            constraints = tuple(
                (c.get("Name", ""), (c.text or "").strip()) for c in group if _local(c.tag) == "Constraint"
            )
            groups.append(PrivilegeGroup(group.get("Scope", ""), privileges, constraints))
    return tuple(groups)


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _instants(value: str | None) -> list[datetime]:
    if not value:
        return []
    return [datetime.fromtimestamp(calendar.timegm(time_util.str_to_time(value)), UTC)]


def assertion_encrypted(saml_response: str) -> bool:
    """Whether the Response carries its one assertion encrypted, and no plain one beside it."""
    try:
        root = SafeXml.fromstring(base64.b64decode(saml_response, validate=True), forbid_dtd=True)
    except (binascii.Error, ValueError, SafeXml.ParseError, DefusedXmlException):
        return False
    children = [_local(child.tag) for child in root]
    return children.count("EncryptedAssertion") == 1 and "Assertion" not in children


def _reason(err: Exception) -> str:
    """A short reason for the access log, from pysaml2's class of refusal (no message text: it
    can quote the assertion)."""
    return {
        "UnsolicitedResponse": "the answer is not to this browser's request (InResponseTo)",
        "ResponseLifetimeExceed": "the assertion has expired",
        "ToEarly": "the assertion is not yet valid",
        "VerificationError": "the assertion's conditions are not met",
        "IncorrectlySigned": "the signature is missing or wrong",
        "StatusError": "the identity provider answered with an error",
    }.get(type(err).__name__, f"the answer was refused ({type(err).__name__})")
