"""The rights configuration: the worked examples in docs/sign-in/ map as documented, and whatever
the file does not name gives nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.signin.rights import PrivilegeGroup, RightsError, load, oidc_grant, saml_grant
from engine.model import Role

DOCS = Path(__file__).resolve().parents[2] / "docs" / "sign-in"
CASEWORKER = "http://sagsflow.dk/roles/usersystemrole/sagsbehandler/1"
ORG_UNIT = "http://sts.kombit.dk/constraints/orgenhed/1"
KLE = "http://sts.kombit.dk/constraints/KLE/1"
AARHUS = "urn:dk:gov:saml:cvrNumberIdentifier:55133018"


def test_the_kombit_example_maps_a_caseworkers_privileges_and_data_limits() -> None:
    rights = load(DOCS / "rights-kombit.yaml").saml
    groups = [
        PrivilegeGroup(
            AARHUS, (CASEWORKER,), ((ORG_UNIT, "a8c3b2f1-5d0e-4c6f-9b8a-2e7d1f3c4b5a"), (KLE, "27.24.00"))
        ),
        PrivilegeGroup(
            AARHUS,
            ("http://other.dk/roles/usersystemrole/x/1",),
            ((ORG_UNIT, "0d4e6f8a-1b2c-4d3e-8f9a-0b1c2d3e4f5a"),),
        ),
    ]
    grant = saml_grant(rights, groups)
    assert (grant.municipality, grant.roles, grant.teams) == (
        "0751",
        frozenset({Role.CASEWORKER}),
        frozenset({"familie-nord", "handicap"}),  # not familie-syd: that group gives no known role
    )


def test_the_entra_example_maps_app_roles_and_groups() -> None:
    rights = load(DOCS / "rights-entra.yaml").oidc
    claims = {
        "oid": "4f1e…",
        "roles": ["Sagsflow.Sagsbehandler"],
        "groups": ["9d8c7b6a-5f4e-4d3c-b2a1-0f9e8d7c6b5a", "ffffffff-0000-0000-0000-000000000000"],
    }
    grant = oidc_grant(rights, claims)
    assert (grant.municipality, grant.roles, grant.teams) == (
        "0157",
        frozenset({Role.CASEWORKER}),
        frozenset({"boern-unge-1"}),
    )


@pytest.mark.parametrize(
    "groups",
    [
        [PrivilegeGroup(AARHUS, ("http://other.dk/roles/usersystemrole/x/1",))],  # unknown role
        [
            PrivilegeGroup("urn:dk:gov:saml:cvrNumberIdentifier:11111111", (CASEWORKER,))
        ],  # unknown organisation
        [],
    ],
)
def test_unknown_roles_and_organisations_give_no_rights(groups: list[PrivilegeGroup]) -> None:
    with pytest.raises(RightsError):
        saml_grant(load(DOCS / "rights-kombit.yaml").saml, groups)


def test_groups_without_a_role_give_no_rights_even_with_a_team() -> None:
    with pytest.raises(RightsError):
        oidc_grant(
            load(DOCS / "rights-entra.yaml").oidc, {"groups": ["9d8c7b6a-5f4e-4d3c-b2a1-0f9e8d7c6b5a"]}
        )


def test_a_file_with_an_unknown_sagsflow_role_or_key_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "rights.yaml"
    bad.write_text("saml:\n  roles:\n    'http://x/1': [superuser]\n")
    with pytest.raises(ValueError, match="superuser"):
        load(bad)
    bad.write_text("saml:\n  role: {}\n")
    with pytest.raises(ValueError, match="role"):
        load(bad)
