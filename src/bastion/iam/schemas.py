"""API schemas of the identity domain: principals, API keys, role bindings, sessions."""

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, SecretStr, StringConstraints

from bastion.iam.permissions import Role
from bastion.schemas import Input, Name, Output

Username = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=200, pattern=r"^[A-Za-z0-9._@+-]+$"
    ),
]
Password = Annotated[SecretStr, Field(min_length=1, max_length=1024)]
PrincipalKind = Literal["user", "service_account"]
KeyScope = Literal["read", "write"]


class UserCreate(Input):
    kind: PrincipalKind = "user"
    username: Username | None = Field(
        default=None, description="Login name; required for users, optional for services."
    )
    display_name: Annotated[str, StringConstraints(max_length=200)] = ""
    password: Password | None = Field(
        default=None, description="At least 12 characters; users without one use OIDC."
    )
    is_admin: bool = False


class UserRead(Output):
    id: uuid.UUID
    kind: str
    username: str | None
    display_name: str
    is_admin: bool
    created_at: datetime
    disabled_at: datetime | None
    last_login_at: datetime | None
    locked_until: datetime | None
    oidc_issuer: str | None


class PasswordChange(Input):
    password: Password
    current_password: Password | None = Field(
        default=None, description="Required when changing your own password."
    )


class ApiKeyCreate(Input):
    name: Name
    scope: KeyScope = Field(
        default="write", description="`read` keys cannot change anything, whatever the roles."
    )
    expires_at: datetime | None = None
    principal_id: uuid.UUID | None = Field(
        default=None, description="Whose key; default: yours. Admins only for others."
    )


class ApiKeyRead(Output):
    id: uuid.UUID
    principal_id: uuid.UUID
    name: str
    prefix: str
    scope: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    rotated_from: uuid.UUID | None


class IssuedKeyRead(Output):
    key: ApiKeyRead
    secret: str = Field(description="The whole API key. Shown only in this response.")


class RoleGrant(Input):
    principal_id: uuid.UUID
    role: Role


class RoleBindingRead(Output):
    id: uuid.UUID
    project_id: uuid.UUID
    principal_id: uuid.UUID
    role: Role
    created_at: datetime


class MemberRead(Output):
    principal_id: uuid.UUID
    kind: str
    name: str
    roles: list[Role]


class LoginRequest(Input):
    username: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    password: Password


class ProjectRoles(Output):
    project_id: uuid.UUID
    roles: list[Role]


class Me(Output):
    id: uuid.UUID
    kind: str
    name: str
    is_admin: bool
    credential: str = Field(description="`api_key:<id>`, `oidc` or `session:<id>`.")
    scope: KeyScope
    projects: list[ProjectRoles]


class LoginRead(Output):
    principal: Me
    csrf_token: str = Field(description="Send as `X-CSRF-Token` with every unsafe request.")
    expires_at: datetime
