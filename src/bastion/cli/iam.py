"""Identity commands: ``bastion users``, ``bastion keys`` and ``bastion roles``, each a thin
call into the SDK. Secrets (new API keys) are printed once, on stdout only."""

from datetime import datetime
from typing import Annotated

import typer

from bastion.cli import output
from bastion.cli.remote import JsonOption, ProjectOption, connect
from bastion.iam.permissions import Role

users = typer.Typer(help="Users and service accounts.", no_args_is_help=True)
keys = typer.Typer(help="API keys: create, list, revoke, rotate.", no_args_is_help=True)
roles = typer.Typer(help="Roles of principals in projects.", no_args_is_help=True)

IdArgument = Annotated[str, typer.Argument(metavar="ID", help="Id.", show_default=False)]
USER_COLUMNS = ("id", "kind", "username", "display_name", "is_admin", "disabled_at")
KEY_COLUMNS = ("id", "prefix", "name", "scope", "principal_id", "expires_at", "revoked_at")


def _password(prompt: str) -> str:
    value: str = typer.prompt(prompt, hide_input=True, confirmation_prompt=True)
    return value


# Users ---------------------------------------------------------------------------------


@users.command("create")
def create_user(
    ctx: typer.Context,
    username: Annotated[
        str | None, typer.Argument(help="Login name (users).", show_default=False)
    ] = None,
    display_name: Annotated[str, typer.Option(help="Name shown in the console.")] = "",
    service: Annotated[
        bool, typer.Option("--service", help="A service account (API keys, no password).")
    ] = False,
    admin: Annotated[bool, typer.Option("--admin", help="Organization admin.")] = False,
    password: Annotated[
        bool, typer.Option("--password", help="Prompt for a password (hidden).")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Create a user or a service account (admins only).

    Example:

        bastion users create ada --display-name "Ada L." --password
        bastion users create --service --display-name "CI pipeline"
    """
    secret = _password("Password") if password else None
    with connect(ctx) as bastion:
        user = bastion.create_user(
            kind="service_account" if service else "user",
            username=username,
            display_name=display_name,
            password=secret,
            is_admin=admin,
        )
    if as_json:
        output.print_json(user)
    else:
        output.done(f"created {user.kind.replace('_', ' ')} {user.id}")


@users.command("list")
def list_users(
    ctx: typer.Context,
    service: Annotated[bool, typer.Option("--service", help="Service accounts only.")] = False,
    as_json: JsonOption = False,
) -> None:
    """List users and service accounts (admins only).

    Example:

        bastion users list --json
    """
    with connect(ctx) as bastion:
        found = bastion.list_users(kind="service_account" if service else None)
    if as_json:
        output.print_json(found)
    else:
        output.print_table("principals", found, USER_COLUMNS, None)


@users.command("disable")
def disable_user(ctx: typer.Context, user_id: IdArgument) -> None:
    """Disable a principal: its keys, tokens and sessions stop working at once.

    Example:

        bastion users disable 3f2c…
    """
    with connect(ctx) as bastion:
        user = bastion.disable_user(user_id)
    output.done(f"disabled {user.id}")


@users.command("set-password")
def set_password(ctx: typer.Context, user_id: IdArgument) -> None:
    """Set a user's password (prompted, hidden); ends the user's console sessions.

    Example:

        bastion users set-password 3f2c…
    """
    secret = _password("New password")
    with connect(ctx) as bastion:
        user = bastion.set_password(user_id, secret)
    output.done(f"password set for {user.id}")


# API keys ------------------------------------------------------------------------------


def _issued(issued_key: object, verb: str, as_json: bool) -> None:
    from bastion.iam.schemas import IssuedKeyRead

    assert isinstance(issued_key, IssuedKeyRead)  # noqa: S101
    if as_json:
        output.print_json(issued_key)
        return
    output.done(f"{verb} API key {issued_key.key.id} (prefix {issued_key.key.prefix})")
    output.done("the key (shown only once, store it now):")
    typer.echo(f"    {issued_key.secret}")


@keys.command("create")
def create_key(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="What the key is for.", show_default=False)],
    scope: Annotated[str, typer.Option(help="write, or read (changes nothing).")] = "write",
    expires: Annotated[
        datetime | None, typer.Option(help="Expiry (ISO 8601, UTC).", show_default=False)
    ] = None,
    principal: Annotated[
        str | None, typer.Option(help="Another principal's id (admins).", show_default=False)
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Create an API key and print it once.

    Example:

        bastion keys create "nightly CI" --scope read --expires 2027-01-01T00:00:00+00:00
    """
    fields: dict[str, object] = {"name": name, "scope": scope}
    if expires is not None:
        fields["expires_at"] = expires
    if principal is not None:
        fields["principal_id"] = principal
    with connect(ctx) as bastion:
        issued = bastion.create_api_key(**fields)
    _issued(issued, "created", as_json)


@keys.command("list")
def list_keys(
    ctx: typer.Context,
    principal: Annotated[
        str | None, typer.Option(help="Another principal's id (admins).", show_default=False)
    ] = None,
    all_principals: Annotated[bool, typer.Option("--all", help="Everyone's (admins).")] = False,
    as_json: JsonOption = False,
) -> None:
    """List API keys (never their secrets): yours, or another principal's.

    Example:

        bastion keys list --all --json
    """
    with connect(ctx) as bastion:
        found = bastion.list_api_keys(principal_id=principal, all_principals=all_principals)
    if as_json:
        output.print_json(found)
    else:
        output.print_table("API keys", found, KEY_COLUMNS, None)


@keys.command("revoke")
def revoke_key(ctx: typer.Context, key_id: IdArgument) -> None:
    """Revoke an API key; the next request made with it is refused.

    Example:

        bastion keys revoke 9b1d…
    """
    with connect(ctx) as bastion:
        key = bastion.revoke_api_key(key_id)
    output.done(f"revoked API key {key.id} (prefix {key.prefix})")


@keys.command("rotate")
def rotate_key(ctx: typer.Context, key_id: IdArgument, as_json: JsonOption = False) -> None:
    """Replace an API key: print the new one once; the old one is revoked.

    Example:

        bastion keys rotate 9b1d…
    """
    with connect(ctx) as bastion:
        issued = bastion.rotate_api_key(key_id)
    _issued(issued, "rotated to", as_json)


# Roles ---------------------------------------------------------------------------------

PrincipalOption = Annotated[
    str, typer.Option("--principal", help="Principal id.", show_default=False)
]
RoleOption = Annotated[Role, typer.Option("--role", help="Role.", show_default=False)]


@roles.command("grant")
def grant(
    ctx: typer.Context, project: ProjectOption, principal: PrincipalOption, role: RoleOption
) -> None:
    """Give a principal a role in a project (owners and admins).

    Example:

        bastion roles grant --project credit-scoring --principal 3f2c… --role auditor
    """
    with connect(ctx) as bastion:
        bastion.grant_role(project, principal, role.value)
    output.done(f"granted {role.value} in {project} to {principal}")


@roles.command("revoke")
def revoke(
    ctx: typer.Context, project: ProjectOption, principal: PrincipalOption, role: RoleOption
) -> None:
    """Take a role away from a principal in a project (owners and admins).

    Example:

        bastion roles revoke --project credit-scoring --principal 3f2c… --role auditor
    """
    with connect(ctx) as bastion:
        bastion.revoke_role(project, principal, role.value)
    output.done(f"revoked {role.value} in {project} from {principal}")


@roles.command("list")
def list_roles(ctx: typer.Context, project: ProjectOption, as_json: JsonOption = False) -> None:
    """Who holds which roles in a project.

    Example:

        bastion roles list --project credit-scoring --json
    """
    with connect(ctx) as bastion:
        members = bastion.list_members(project)
    if as_json:
        output.print_json(members)
    else:
        output.print_table("members", members, ("principal_id", "kind", "name", "roles"), None)
