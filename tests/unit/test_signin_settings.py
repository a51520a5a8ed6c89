"""The service refuses to start with an incomplete sign-in configuration, and a sign-in provider
alone is authentication enough for the pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.app import security_problems
from api.auth import Authenticator
from api.settings import ApiSettings
from api.signin.flows import SignIn, home, safe_next
from api.signin.oidc import check_issuer
from engine.model import Actor, Role


def problems(**values: object) -> list[str]:
    settings = ApiSettings(**values)  # type: ignore[arg-type]
    return security_problems(settings, Authenticator(settings), SignIn(settings))


def test_oidc_sign_in_needs_the_public_url_the_rights_file_and_a_client_id() -> None:
    found = " ".join(problems(login_oidc_issuer="https://login.example.dk/realms/k"))
    assert "SAGSFLOW_PUBLIC_URL" in found and "SAGSFLOW_RIGHTS_FILE" in found
    assert "SAGSFLOW_LOGIN_OIDC_CLIENT_ID" in found
    assert "no authentication configured" not in found


def test_saml_sign_in_needs_its_signing_keys(tmp_path: Path) -> None:
    metadata = tmp_path / "idp.xml"
    metadata.write_text("<EntityDescriptor/>")
    found = " ".join(problems(saml_idp_metadata_file=metadata))
    assert "SAGSFLOW_SAML_KEY_FILE" in found and "SAGSFLOW_PUBLIC_URL" in found


def test_a_complete_oidc_sign_in_is_enough_to_start() -> None:
    rights = Path(__file__).resolve().parents[2] / "docs" / "sign-in" / "rights-entra.yaml"
    assert (
        problems(
            login_oidc_issuer="https://login.example.dk/realms/k",
            login_oidc_client_id="sagsflow",
            public_url="https://sagsflow.example.dk",
            rights_file=rights,
        )
        == []
    )


@pytest.mark.parametrize("issuer", ["http://login.example.dk", "ftp://x", "login.example.dk"])
def test_an_issuer_must_be_https_unless_on_loopback(issuer: str) -> None:
    with pytest.raises(ValueError, match="https"):
        check_issuer(issuer)
    check_issuer("http://127.0.0.1:8443")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/ui/cases?team=a", "/ui/cases?team=a"),
        ("//evil.example/ui/", None),
        ("https://evil.example/ui/", None),
        ("/ui/login?next=/ui/", None),
        ("/ui/\\evil", None),
        ("/auth/logout", None),
        (None, None),
    ],
)
def test_only_pages_of_this_app_are_returned_to(value: str | None, expected: str | None) -> None:
    assert safe_next(value) == expected


def test_each_role_lands_on_its_page() -> None:
    def who(*roles: Role) -> Actor:
        return Actor("u", "0101", frozenset(roles))

    assert home(who(Role.CASEWORKER)) == "/ui/tasks"
    assert home(who(Role.CASEWORKER, Role.LEADER)) == "/ui/"
    assert home(who(Role.ADMIN)) == "/ui/"
