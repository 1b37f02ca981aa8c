"""Housekeeping receivers: a newly approved member joins the network-wide group "Réseau"."""

from community.services import member_approved

from .services import on_member_approved

member_approved.connect(on_member_approved, dispatch_uid="groups.network_member_add")
