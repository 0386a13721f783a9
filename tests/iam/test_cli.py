"""``bastion users|keys|roles`` against a live server, through the SDK."""

import json

from tests.cli.conftest import Cli, cli  # noqa: F401 - the fixture


def test_users_keys_and_roles_from_the_command_line(cli: Cli) -> None:  # noqa: F811
    project = json.loads(cli.ok("projects", "create", "CLI IAM", "--json").stdout)["slug"]
    account = json.loads(
        cli.ok("users", "create", "--service", "--display-name", "CI", "--json").stdout
    )
    listed = json.loads(cli.ok("users", "list", "--json").stdout)
    assert account["id"] in [u["id"] for u in listed]

    created = cli.ok("keys", "create", "ci key", "--principal", account["id"], "--scope", "read")
    secret = next(w for w in created.stdout.split() if w.startswith("bst_"))
    keys = json.loads(cli.ok("keys", "list", "--principal", account["id"], "--json").stdout)
    assert [k["scope"] for k in keys] == ["read"]
    assert secret not in cli.ok("keys", "list", "--all").stdout

    cli.ok("roles", "grant", "--project", project, "--principal", account["id"], "--role", "viewer")
    members = json.loads(cli.ok("roles", "list", "--project", project, "--json").stdout)
    assert {"principal_id": account["id"], "roles": ["viewer"]}.items() <= {
        **next(m for m in members if m["principal_id"] == account["id"])
    }.items()
    as_ci = cli("projects", "list", "--json", env={"BASTION_API_KEY": secret})
    assert [p["slug"] for p in json.loads(as_ci.stdout)["items"]] == [project]

    rotated = cli.ok("keys", "rotate", keys[0]["id"])
    assert "shown only once" in rotated.stdout
    denied = cli("projects", "list", env={"BASTION_API_KEY": secret})
    assert denied.exit_code == 1
    assert denied.stderr.strip() == "error: invalid or expired API key"

    cli.ok(
        "roles", "revoke", "--project", project, "--principal", account["id"], "--role", "viewer"
    )
    bad = cli(
        "roles", "grant", "--project", project, "--principal", account["id"], "--role", "king"
    )
    assert bad.exit_code != 0
    cli.ok("users", "disable", account["id"])
    missing = cli("keys", "revoke", "00000000-0000-0000-0000-000000000000")
    assert missing.exit_code == 1
    assert missing.stderr.startswith("error: no API key")
