"""The groups a service is asked to check it has heard from (the New Belongings guide: disabled,
asylum-seeking and youth-justice care leavers, and others often missed).

Each group is an optional yes/no on the contact (``Contact.group_<key>``), typed on the contact
form or imported from a yes/no column like the other flags. "No" means "not recorded", never
"we checked and they are not": the reach page (app/outreach/invitations/reach.py) says so.
These are special-category data (disability, for one): they stay on the contact, are never
copied to an invitation, and go when the contact is erased.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Group:
    key: str
    label: str  # on the form, the import's column list and the reach page

    @property
    def field(self) -> str:
        return f"group_{self.key}"


GROUPS: tuple[Group, ...] = (
    Group("asylum_seeking", "Asylum-seeking or came as an unaccompanied child"),
    Group("disabled", "Disabled"),
    Group("youth_justice", "Known to youth justice"),
    Group("parent", "A parent"),
    Group("in_custody", "In custody"),
    Group("out_of_area", "Lives out of the area"),
)
GROUP_FIELDS: tuple[str, ...] = tuple(g.field for g in GROUPS)
