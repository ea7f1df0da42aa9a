"""Console users: roles and permissions, accounts, password hashing, sign-in."""

from assistant.users.models import User
from assistant.users.roles import PERMISSIONS, Permission, Role, require, role_can
from assistant.users.store import UserStore

__all__ = ["PERMISSIONS", "Permission", "Role", "User", "UserStore", "require", "role_can"]
